# Attack: make a 32-bit system call through "int 0x80" from 64-bit code. The 32-bit
# numbers are another table (personality is 136 there, add_key 286): a filter that checks
# only 64-bit numbers lets them all through. Nine bytes of machine code, commented below.
# Expected: the filter accepts only the native x86-64 ABI; any other (i386 int 0x80, x32)
# gets ENOSYS -> error "Function not implemented".
# expect[bubblewrap,unshare,none]: error ~ Function not implemented
import ctypes
import mmap
import os

import numpy as np

CODE = bytes.fromhex(
    "53"  # push rbx            (callee-saved, the i386 ABI's first argument)
    "89f8"  # mov eax, edi      (system call number)
    "89f3"  # mov ebx, esi      (its argument)
    "cd80"  # int 0x80          (the 32-bit system call gate)
    "5b"  # pop rbx
    "c3"  # ret                 (eax: the result, -errno on failure)
)
page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
page.write(CODE)
call32 = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_int)(
    ctypes.addressof(ctypes.c_char.from_buffer(page))
)
I386_PERSONALITY, READ_IMPLIES_EXEC = 136, 0x0400000
result = call32(I386_PERSONALITY, READ_IMPLIES_EXEC)
if result < 0:
    raise OSError(-result, os.strerror(-result))


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
