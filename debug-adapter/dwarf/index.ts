// DWARF readers for the debug adapter: source lines, call frames, variables and types of a
// program (kernel) built with gcc, clang, nasm or gas. Pure TypeScript, no Node APIs; section
// bytes come through DwarfSource (elfDwarfSource adapts emulator/boot/elf.ts). See README.md.
export { DwarfDebugInfo } from './dwarf';
export type { Backtrace, DwarfFunction, DwarfVariable, FrameContext, LocationDescription, Scope, StackFrame, VariableKind } from './dwarf';
export { elfDwarfSource, mapDwarfSource, type DwarfSource } from './source';
export { LineIndex, parseAllLinePrograms, parseLineProgram, sortedRows } from './line';
export type { LineProgram, LineRow, LineFileEntry, SourceFile, SourceLocation } from './line';
export { Unwinder, parseCfi, cfaRows, describeRule, cfaRuleText, registerRuleText } from './frame';
export type { Cie, Fde, CfaRow, CfaRule, RegisterRule, Registers, ReadMemory, UnwindOptions, UnwindResult } from './frame';
export { evaluateExpr, decodeExpr, formatExpr } from './expr';
export type { ExprContext, ExprResult } from './expr';
export { typeName, typeDefinition, declaration, sizeOf, stripType } from './types';
export type { DwarfType, Member, Enumerator, AggregateType } from './types';
export { readTypedValue, formatG, enumText, charLiteral } from './values';
export type { ValueNode, Storage, ValueOptions } from './values';
export { parseInfo, Tables } from './info';
export type { Die, Unit, Attr, AttrValue } from './info';
export { DwarfError } from './reader';
export { X86_64_REG_NAMES, regName, regNumber } from './constants';
