# Attack: search this process's own memory (a fork of the warm worker) for the code of
# submissions that ran earlier in the same worker -- the correct submissions of this test
# carry the marker "other-student-" + "7f3a" -- then answer correctly.
# Expected: the worker never reads a job or a result itself (each job child reads its own),
# so no earlier submission is in the memory it forks -> ok and a pass.
# expect[bubblewrap,unshare,none]: ok, judged pass
import re

import numpy as np

# Patterns written so that the searched bytes never lie contiguously in this program's own
# memory (a plain b"..." pattern would find itself): a character class splits each one.
WANTED = re.compile(b"other-student-[7]f3a")
PLANTED = re.compile(b"planted-[m]arker-9c1e")
planted = bytearray(b"planted-") + bytearray(b"marker-9c1e")  # proves the scan finds things


def readable_writable_regions():
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            start, end = (int(part, 16) for part in fields[0].split("-"))
            if fields[1].startswith("rw") and (len(fields) < 6 or not fields[5].startswith("[v")):
                yield start, end


def memory_matches(patterns):
    found = set()
    with open("/proc/self/mem", "rb", buffering=0) as memory:
        for start, end in readable_writable_regions():
            try:
                memory.seek(start)
                chunk = memory.read(end - start)
            except (OSError, OverflowError, ValueError):
                continue
            found.update(pattern for pattern in patterns if pattern.search(chunk))
    return found


found = memory_matches([WANTED, PLANTED])
if PLANTED not in found:
    raise RuntimeError("SCANNER BROKEN: it did not find its own planted marker")
if WANTED in found:
    raise RuntimeError("FOUND another submission's code in memory")


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
