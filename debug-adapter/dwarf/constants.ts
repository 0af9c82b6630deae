// DWARF 2-5 constants (tags, attributes, forms, operations, CFA instructions, line opcodes) as the
// DWARF 5 standard numbers them (sections 7.5-7.24), plus the GNU extensions gcc emits.

export const DW_TAG = {
  array_type: 0x01,
  class_type: 0x02,
  entry_point: 0x03,
  enumeration_type: 0x04,
  formal_parameter: 0x05,
  label: 0x0a,
  lexical_block: 0x0b,
  member: 0x0d,
  pointer_type: 0x0f,
  reference_type: 0x10,
  compile_unit: 0x11,
  structure_type: 0x13,
  subroutine_type: 0x15,
  typedef: 0x16,
  union_type: 0x17,
  unspecified_parameters: 0x18,
  variant: 0x19,
  inlined_subroutine: 0x1d,
  subrange_type: 0x21,
  base_type: 0x24,
  const_type: 0x26,
  enumerator: 0x28,
  subprogram: 0x2e,
  variable: 0x34,
  volatile_type: 0x35,
  restrict_type: 0x37,
  namespace: 0x39,
  unspecified_type: 0x3b,
  partial_unit: 0x3c,
  imported_unit: 0x3d,
  type_unit: 0x41,
  rvalue_reference_type: 0x42,
  atomic_type: 0x47,
  call_site: 0x48,
  call_site_parameter: 0x49,
  skeleton_unit: 0x4a,
  GNU_call_site: 0x4109,
  GNU_call_site_parameter: 0x410a,
} as const;

export const DW_AT = {
  sibling: 0x01,
  location: 0x02,
  name: 0x03,
  byte_size: 0x0b,
  bit_offset: 0x0c,
  bit_size: 0x0d,
  stmt_list: 0x10,
  low_pc: 0x11,
  high_pc: 0x12,
  language: 0x13,
  comp_dir: 0x1b,
  const_value: 0x1c,
  inline: 0x20,
  producer: 0x25,
  prototyped: 0x27,
  lower_bound: 0x22,
  count: 0x37,
  upper_bound: 0x2f,
  abstract_origin: 0x31,
  artificial: 0x34,
  data_member_location: 0x38,
  decl_column: 0x39,
  decl_file: 0x3a,
  decl_line: 0x3b,
  declaration: 0x3c,
  encoding: 0x3e,
  external: 0x3f,
  frame_base: 0x40,
  specification: 0x47,
  type: 0x49,
  ranges: 0x55,
  call_column: 0x57,
  call_file: 0x58,
  call_line: 0x59,
  data_bit_offset: 0x6b,
  linkage_name: 0x6e,
  str_offsets_base: 0x72,
  addr_base: 0x73,
  rnglists_base: 0x74,
  dwo_name: 0x76,
  call_return_pc: 0x7d,
  call_value: 0x7e,
  loclists_base: 0x8c,
  MIPS_linkage_name: 0x2007,
  GNU_call_site_value: 0x2111,
  GNU_addr_base: 0x2133,
  GNU_ranges_base: 0x2132,
} as const;

export const DW_FORM = {
  addr: 0x01,
  block2: 0x03,
  block4: 0x04,
  data2: 0x05,
  data4: 0x06,
  data8: 0x07,
  string: 0x08,
  block: 0x09,
  block1: 0x0a,
  data1: 0x0b,
  flag: 0x0c,
  sdata: 0x0d,
  strp: 0x0e,
  udata: 0x0f,
  ref_addr: 0x10,
  ref1: 0x11,
  ref2: 0x12,
  ref4: 0x13,
  ref8: 0x14,
  ref_udata: 0x15,
  indirect: 0x16,
  sec_offset: 0x17,
  exprloc: 0x18,
  flag_present: 0x19,
  strx: 0x1a,
  addrx: 0x1b,
  ref_sup4: 0x1c,
  strp_sup: 0x1d,
  data16: 0x1e,
  line_strp: 0x1f,
  ref_sig8: 0x20,
  implicit_const: 0x21,
  loclistx: 0x22,
  rnglistx: 0x23,
  ref_sup8: 0x24,
  strx1: 0x25,
  strx2: 0x26,
  strx3: 0x27,
  strx4: 0x28,
  addrx1: 0x29,
  addrx2: 0x2a,
  addrx3: 0x2b,
  addrx4: 0x2c,
  GNU_addr_index: 0x1f01,
  GNU_str_index: 0x1f02,
  GNU_ref_alt: 0x1f20,
  GNU_strp_alt: 0x1f21,
} as const;

export const DW_UT = { compile: 1, type: 2, partial: 3, skeleton: 4, split_compile: 5, split_type: 6 } as const;

export const DW_ATE = {
  address: 0x1,
  boolean: 0x2,
  complex_float: 0x3,
  float: 0x4,
  signed: 0x5,
  signed_char: 0x6,
  unsigned: 0x7,
  unsigned_char: 0x8,
  UTF: 0x10,
} as const;

export const DW_OP = {
  addr: 0x03,
  deref: 0x06,
  const1u: 0x08,
  const1s: 0x09,
  const2u: 0x0a,
  const2s: 0x0b,
  const4u: 0x0c,
  const4s: 0x0d,
  const8u: 0x0e,
  const8s: 0x0f,
  constu: 0x10,
  consts: 0x11,
  dup: 0x12,
  drop: 0x13,
  over: 0x14,
  pick: 0x15,
  swap: 0x16,
  rot: 0x17,
  xderef: 0x18,
  abs: 0x19,
  and: 0x1a,
  div: 0x1b,
  minus: 0x1c,
  mod: 0x1d,
  mul: 0x1e,
  neg: 0x1f,
  not: 0x20,
  or: 0x21,
  plus: 0x22,
  plus_uconst: 0x23,
  shl: 0x24,
  shr: 0x25,
  shra: 0x26,
  xor: 0x27,
  bra: 0x28,
  eq: 0x29,
  ge: 0x2a,
  gt: 0x2b,
  le: 0x2c,
  lt: 0x2d,
  ne: 0x2e,
  skip: 0x2f,
  lit0: 0x30,
  lit31: 0x4f,
  reg0: 0x50,
  reg31: 0x6f,
  breg0: 0x70,
  breg31: 0x8f,
  regx: 0x90,
  fbreg: 0x91,
  bregx: 0x92,
  piece: 0x93,
  deref_size: 0x94,
  xderef_size: 0x95,
  nop: 0x96,
  push_object_address: 0x97,
  call2: 0x98,
  call4: 0x99,
  call_ref: 0x9a,
  form_tls_address: 0x9b,
  call_frame_cfa: 0x9c,
  bit_piece: 0x9d,
  implicit_value: 0x9e,
  stack_value: 0x9f,
  implicit_pointer: 0xa0,
  addrx: 0xa1,
  constx: 0xa2,
  entry_value: 0xa3,
  const_type: 0xa4,
  regval_type: 0xa5,
  deref_type: 0xa6,
  xderef_type: 0xa7,
  convert: 0xa8,
  reinterpret: 0xa9,
  GNU_push_tls_address: 0xe0,
  GNU_uninit: 0xf0,
  GNU_encoded_addr: 0xf1,
  GNU_implicit_pointer: 0xf2,
  GNU_entry_value: 0xf3,
  GNU_const_type: 0xf4,
  GNU_regval_type: 0xf5,
  GNU_deref_type: 0xf6,
  GNU_convert: 0xf7,
  GNU_reinterpret: 0xf9,
  GNU_parameter_ref: 0xfa,
  GNU_addr_index: 0xfb,
  GNU_const_index: 0xfc,
  GNU_variable_value: 0xfd,
} as const;

export const DW_CFA = {
  advance_loc: 0x40,
  offset: 0x80,
  restore: 0xc0,
  nop: 0x00,
  set_loc: 0x01,
  advance_loc1: 0x02,
  advance_loc2: 0x03,
  advance_loc4: 0x04,
  offset_extended: 0x05,
  restore_extended: 0x06,
  undefined: 0x07,
  same_value: 0x08,
  register: 0x09,
  remember_state: 0x0a,
  restore_state: 0x0b,
  def_cfa: 0x0c,
  def_cfa_register: 0x0d,
  def_cfa_offset: 0x0e,
  def_cfa_expression: 0x0f,
  expression: 0x10,
  offset_extended_sf: 0x11,
  def_cfa_sf: 0x12,
  def_cfa_offset_sf: 0x13,
  val_offset: 0x14,
  val_offset_sf: 0x15,
  val_expression: 0x16,
  MIPS_advance_loc8: 0x1d,
  GNU_window_save: 0x2d,
  GNU_args_size: 0x2e,
  GNU_negative_offset_extended: 0x2f,
} as const;

export const DW_LNS = {
  copy: 1,
  advance_pc: 2,
  advance_line: 3,
  set_file: 4,
  set_column: 5,
  negate_stmt: 6,
  set_basic_block: 7,
  const_add_pc: 8,
  fixed_advance_pc: 9,
  set_prologue_end: 10,
  set_epilogue_begin: 11,
  set_isa: 12,
} as const;

export const DW_LNE = { end_sequence: 1, set_address: 2, define_file: 3, set_discriminator: 4 } as const;

export const DW_LNCT = { path: 1, directory_index: 2, timestamp: 3, size: 4, MD5: 5 } as const;

export const DW_LLE = {
  end_of_list: 0,
  base_addressx: 1,
  startx_endx: 2,
  startx_length: 3,
  offset_pair: 4,
  default_location: 5,
  base_address: 6,
  start_end: 7,
  start_length: 8,
  GNU_view_pair: 9,
} as const;

export const DW_RLE = {
  end_of_list: 0,
  base_addressx: 1,
  startx_endx: 2,
  startx_length: 3,
  offset_pair: 4,
  base_address: 5,
  start_end: 6,
  start_length: 7,
} as const;

/** x86-64 DWARF register numbers (System V psABI, figure 3.36) -> names. */
export const X86_64_REG_NAMES: readonly string[] = [
  'rax', 'rdx', 'rcx', 'rbx', 'rsi', 'rdi', 'rbp', 'rsp',
  'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15',
  'rip',
  'xmm0', 'xmm1', 'xmm2', 'xmm3', 'xmm4', 'xmm5', 'xmm6', 'xmm7',
  'xmm8', 'xmm9', 'xmm10', 'xmm11', 'xmm12', 'xmm13', 'xmm14', 'xmm15',
  'st0', 'st1', 'st2', 'st3', 'st4', 'st5', 'st6', 'st7',
  'mm0', 'mm1', 'mm2', 'mm3', 'mm4', 'mm5', 'mm6', 'mm7',
  'rflags', 'es', 'cs', 'ss', 'ds', 'fs', 'gs', '', '', 'fs.base', 'gs.base',
];

export const REG_RSP = 7;
export const REG_RBP = 6;
export const REG_RIP = 16;

export function regName(n: number): string {
  return X86_64_REG_NAMES[n] || `r${n}`;
}

export function regNumber(name: string): number | undefined {
  const i = X86_64_REG_NAMES.indexOf(name);
  return i < 0 || name === '' ? undefined : i;
}


/** Attribute names the readers do not use, for messages and dumps (DWARF 5 table 7.5, GNU). */
const MORE_AT: Record<string, number> = {
  ordering: 0x09, discr: 0x15, discr_value: 0x16, visibility: 0x17, import: 0x18, string_length: 0x19,
  common_reference: 0x1a, containing_type: 0x1d, default_value: 0x1e, is_optional: 0x21, return_addr: 0x2a,
  start_scope: 0x2c, bit_stride: 0x2e, accessibility: 0x32, address_class: 0x33, base_types: 0x35,
  calling_convention: 0x36, discr_list: 0x3d, friend: 0x41, identifier_case: 0x42, macro_info: 0x43,
  namelist_item: 0x44, priority: 0x45, segment: 0x46, static_link: 0x48, use_location: 0x4a,
  variable_parameter: 0x4b, virtuality: 0x4c, vtable_elem_location: 0x4d, allocated: 0x4e, associated: 0x4f,
  data_location: 0x50, byte_stride: 0x51, entry_pc: 0x52, use_UTF8: 0x53, extension: 0x54, trampoline: 0x56,
  description: 0x5a, binary_scale: 0x5b, decimal_scale: 0x5c, small: 0x5d, decimal_sign: 0x5e, digit_count: 0x5f,
  picture_string: 0x60, mutable: 0x61, threads_scaled: 0x62, explicit: 0x63, object_pointer: 0x64, endianity: 0x65,
  elemental: 0x66, pure: 0x67, recursive: 0x68, signature: 0x69, main_subprogram: 0x6a, const_expr: 0x6c,
  enum_class: 0x6d, string_length_bit_size: 0x6f, string_length_byte_size: 0x70, rank: 0x71, reference: 0x77,
  rvalue_reference: 0x78, macros: 0x79, call_all_calls: 0x7a, call_all_source_calls: 0x7b, call_all_tail_calls: 0x7c,
  call_origin: 0x7f, call_parameter: 0x80, call_pc: 0x81, call_tail_call: 0x82, call_target: 0x83,
  call_target_clobbered: 0x84, call_data_location: 0x85, call_data_value: 0x86, noreturn: 0x87, alignment: 0x88,
  export_symbols: 0x89, deleted: 0x8a, defaulted: 0x8b,
  sf_names: 0x2101, src_info: 0x2102, mac_info: 0x2103, src_coords: 0x2104, body_begin: 0x2105, body_end: 0x2106,
  GNU_vector: 0x2107, GNU_odr_signature: 0x210f, GNU_template_name: 0x2110, GNU_call_site_data_value: 0x2112,
  GNU_call_site_target: 0x2113, GNU_call_site_target_clobbered: 0x2114, GNU_tail_call: 0x2115,
  GNU_all_tail_call_sites: 0x2116, GNU_all_call_sites: 0x2117, GNU_all_source_call_sites: 0x2118, GNU_macros: 0x2119,
  GNU_deleted: 0x211a, GNU_dwo_name: 0x2130, GNU_dwo_id: 0x2131, GNU_pubnames: 0x2134, GNU_pubtypes: 0x2135,
  GNU_discriminator: 0x2136, GNU_locviews: 0x2137, GNU_entry_view: 0x2138,
};

/** Tag names the readers do not use. */
const MORE_TAG: Record<string, number> = {
  imported_declaration: 0x08, string_type: 0x12, common_block: 0x1a, common_inclusion: 0x1b, inheritance: 0x1c,
  module: 0x1e, ptr_to_member_type: 0x1f, set_type: 0x20, access_declaration: 0x23, catch_block: 0x25,
  constant: 0x27, file_type: 0x29, friend: 0x2a, namelist: 0x2b, namelist_item: 0x2c, packed_type: 0x2d,
  template_type_parameter: 0x2f, template_value_parameter: 0x30, thrown_type: 0x31, try_block: 0x32,
  variant_part: 0x33, dwarf_procedure: 0x36, interface_type: 0x38, imported_module: 0x3a, condition: 0x3f,
  shared_type: 0x40, template_alias: 0x43, coarray_type: 0x44, generic_subrange: 0x45, dynamic_type: 0x46,
  immutable_type: 0x4b, GNU_template_parameter_pack: 0x4107, GNU_formal_parameter_pack: 0x4108,
};

function reverse(table: Record<string, number>, prefix: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const [k, v] of Object.entries(table)) if (!m.has(v)) m.set(v, prefix + k);
  return m;
}
const tagNames = reverse({ ...DW_TAG, ...MORE_TAG }, 'DW_TAG_');
const atNames = reverse({ ...DW_AT, ...MORE_AT }, 'DW_AT_');
const formNames = reverse(DW_FORM, 'DW_FORM_');
const opNames = reverse(DW_OP, 'DW_OP_');

export const tagName = (t: number): string => tagNames.get(t) ?? `DW_TAG_0x${t.toString(16)}`;
export const atName = (a: number): string => atNames.get(a) ?? `DW_AT_0x${a.toString(16)}`;
export const formName = (f: number): string => formNames.get(f) ?? `DW_FORM_0x${f.toString(16)}`;
export function opName(op: number): string {
  if (op >= DW_OP.lit0 && op <= DW_OP.lit31) return `DW_OP_lit${op - DW_OP.lit0}`;
  if (op >= DW_OP.reg0 && op <= DW_OP.reg31) return `DW_OP_reg${op - DW_OP.reg0}`;
  if (op >= DW_OP.breg0 && op <= DW_OP.breg31) return `DW_OP_breg${op - DW_OP.breg0}`;
  return opNames.get(op) ?? `DW_OP_0x${op.toString(16)}`;
}
