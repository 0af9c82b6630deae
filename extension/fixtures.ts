// Answers of the adapter the views' tests use (test/e2e/workspace/nmi.asm stopped in its NMI handler).

/** `kstack/stackSwitches` as the adapter answered it (recorded, nmi.asm in nmi_entry). */
export const RECORDED_SWITCHES = {
  switches: [
    { count: 0, rip: '0x100000', from: null, to: 'stack', cause: 'mov', rspBefore: '0x3ff9000', rspAfter: '0x1041e0' },
    { count: 46, rip: '0x100028', from: 'stack', to: 'nmi_stack', cause: 'IST1', vector: 2, rspBefore: '0x1041e0', rspAfter: '0x1031b8' },
  ],
  stacks: [
    { name: 'kernel_stack', base: '0x1001e0', top: '0x1021e0', size: 8192, origin: 'symbol', slots: ['RSP0'], current: false, used: 0, deepest: 8160, belowTouched: false },
    { name: 'nmi_stack', base: '0x1021e0', top: '0x1031e0', size: 4096, origin: 'symbol', slots: ['IST1'], current: true, used: 48, deepest: 48, belowTouched: false },
    { name: 'stack', base: '0x1031e0', top: '0x1041e0', size: 4096, origin: 'symbol', slots: [], current: false, used: 0, deepest: 8, belowTouched: false },
  ],
  alerts: [],
};

/** `kstack/systemTables` as the adapter answered it (recorded, same program and stop). */
export const TABLES = {
  "tss": {
    "base": "0x0000000000100170",
    "selector": 24,
    "limit": 103,
    "ioMapBase": 0,
    "rsp": [
      {
        "slot": "RSP0",
        "value": "0x00000000001021e0",
        "symbol": "kernel_stack_top",
        "stack": "kernel_stack"
      },
      {
        "slot": "RSP1",
        "value": "0x0000000000000000"
      },
      {
        "slot": "RSP2",
        "value": "0x0000000000000000"
      }
    ],
    "ist": [
      {
        "slot": "IST1",
        "value": "0x00000000001031e0",
        "symbol": "nmi_stack_top",
        "stack": "nmi_stack"
      },
      {
        "slot": "IST2",
        "value": "0x0000000000000000"
      },
      {
        "slot": "IST3",
        "value": "0x0000000000000000"
      },
      {
        "slot": "IST4",
        "value": "0x0000000000000000"
      },
      {
        "slot": "IST5",
        "value": "0x0000000000000000"
      },
      {
        "slot": "IST6",
        "value": "0x0000000000000000"
      },
      {
        "slot": "IST7",
        "value": "0x0000000000000000"
      }
    ]
  },
  "idt": [
    {
      "vector": 2,
      "name": "NMI",
      "type": "interrupt",
      "dpl": 0,
      "ist": 1,
      "selector": 8,
      "handler": "0x0000000000100048",
      "symbol": "nmi_entry"
    }
  ],
  "gdt": [
    {
      "index": 0,
      "selector": 0,
      "raw": "0x0000000000000000",
      "text": "null",
      "present": false,
      "system": true,
      "type": 0,
      "dpl": 0,
      "base": "0x0000000000000000",
      "limit": 0
    },
    {
      "index": 1,
      "selector": 8,
      "raw": "0x00af9b000000ffff",
      "text": "64-bit code readable, DPL 0",
      "present": true,
      "system": false,
      "type": 11,
      "dpl": 0,
      "base": "0x0000000000000000",
      "limit": 4294967295
    },
    {
      "index": 2,
      "selector": 16,
      "raw": "0x00cf93000000ffff",
      "text": "data writable, DPL 0, base 0x0, limit 0xffffffff",
      "present": true,
      "system": false,
      "type": 3,
      "dpl": 0,
      "base": "0x0000000000000000",
      "limit": 4294967295
    },
    {
      "index": 3,
      "selector": 24,
      "raw": "0x00008b1001700067",
      "rawHigh": "0x0000000000000000",
      "text": "64-bit TSS (busy), base 0x100170, limit 0x67, DPL 0",
      "present": true,
      "system": true,
      "type": 11,
      "dpl": 0,
      "base": "0x0000000000100170",
      "limit": 103,
      "busy": true
    }
  ]
};
