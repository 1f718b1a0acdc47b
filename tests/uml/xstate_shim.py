"""Exec a command with ptrace's NT_X86_XSTATE register set hidden from it.

Debian's UML 6.1 saves and restores guest FPU state with
PTRACE_{GET,SET}REGSET(NT_X86_XSTATE) and a buffer sized for AVX (832
bytes). A host kernel on a CPU with AVX-512 or AMX requires the full
XSAVE size for SETREGSET and answers EFAULT, so every guest process dies
at its first context switch ("ptrace set fp regs failed, errno = 14",
then "Attempted to kill init"). Making GETREGSET(NT_X86_XSTATE) fail at
UML's start-up probe makes it fall back to PTRACE_{GET,SET}FPREGS (the
FXSAVE area: x87 and SSE), which works on every x86-64 host.

The cost: the upper halves of AVX registers are not switched between
threads of one guest process (separate guest processes keep theirs, each
runs in its own host process). Good enough for a test guest.

Usage: python3 xstate_shim.py PROGRAM ARGS...
"""
import ctypes
import os
import struct
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7fff0000
SECCOMP_RET_ERRNO = 0x00050000
EIO = 5
AUDIT_ARCH_X86_64 = 0xc000003e
NR_PTRACE = 101
PTRACE_GETREGSET = 0x4204
PTRACE_SETREGSET = 0x4205
NT_X86_XSTATE = 0x202

# classic BPF opcodes
LD_W_ABS = 0x20
JEQ_K = 0x15
RET_K = 0x06

# struct seccomp_data: int nr; u32 arch; u64 ip; u64 args[6]
OFF_NR, OFF_ARCH, OFF_ARG0, OFF_ARG2 = 0, 4, 16, 32


def _insn(code, jt, jf, k):
    return struct.pack('HBBI', code, jt, jf, k)


def program():
    # jt/jf are relative skips: "-> N" names the instruction they land on
    insns = [
        _insn(LD_W_ABS, 0, 0, OFF_ARCH),            # 0
        _insn(JEQ_K, 0, 8, AUDIT_ARCH_X86_64),      # 1: else -> 10 allow
        _insn(LD_W_ABS, 0, 0, OFF_NR),              # 2
        _insn(JEQ_K, 0, 6, NR_PTRACE),              # 3: else -> 10 allow
        _insn(LD_W_ABS, 0, 0, OFF_ARG0),            # 4
        _insn(JEQ_K, 1, 0, PTRACE_GETREGSET),       # 5: -> 7
        _insn(JEQ_K, 0, 3, PTRACE_SETREGSET),       # 6: else -> 10 allow
        _insn(LD_W_ABS, 0, 0, OFF_ARG2),            # 7
        _insn(JEQ_K, 0, 1, NT_X86_XSTATE),          # 8: else -> 10 allow
        _insn(RET_K, 0, 0, SECCOMP_RET_ERRNO | EIO),  # 9
        _insn(RET_K, 0, 0, SECCOMP_RET_ALLOW),      # 10
    ]
    return insns


def install():
    insns = program()
    buf = ctypes.create_string_buffer(b''.join(insns))

    class SockFprog(ctypes.Structure):
        _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]

    prog = SockFprog(len(insns), ctypes.cast(buf, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), 'prctl(PR_SET_NO_NEW_PRIVS)')
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), 'prctl(PR_SET_SECCOMP)')


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    install()
    os.execvp(sys.argv[1], sys.argv[1:])
