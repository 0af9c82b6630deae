// Boot loaders: a file's bytes -> a boot plan (planBoot), and a plan -> a Cpu (applyBootPlan).
// See README.md.
export { planBoot, type PlanBootOptions } from './detect';
export { applyBootPlan, PROTECTED_MODE_UNSUPPORTED, type ProtectedModeEntryApi, type SegmentName } from './apply';
export { parseElf, isElf, bootSymbols, findSymbol, type ElfFile, type ElfHeader, type ElfProgramHeader, type ElfSection, type ElfSymbol } from './elf';
export {
  findMultibootHeader,
  planMultiboot,
  qemuCommandLine,
  qemuMemoryMap,
  qemuMemInfo,
  type MultibootHeader,
  type HeaderSearch,
} from './multiboot';
export { planElf64, planFlat, long64State, FLAT_DEFAULT_LOAD, RESET64_RESERVED } from './flat';
export * from './plan';
