# Attack: pass a secret to the next job in the metadata of /tmp itself, which an emptied
# directory keeps: a user extended attribute, a POSIX ACL, and the timestamps.
# Expected: ok and a pass; the next job's /tmp has no attributes and fresh timestamps.
# expect[bubblewrap,unshare,none]: ok, judged pass
import os
import struct
import tempfile

import numpy as np

tmp = tempfile.gettempdir()
os.setxattr(tmp, "user.secret", b"answers of the previous student")
# A POSIX ACL: version 2; user::rwx, user:4242:r-x, group::---, mask::r-x, other::---.
entries = [(1, 7, 0xFFFFFFFF), (2, 5, 4242), (4, 0, 0xFFFFFFFF), (0x10, 5, 0xFFFFFFFF)]
entries.append((0x20, 0, 0xFFFFFFFF))
acl = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *entry) for entry in entries)
try:
    os.setxattr(tmp, "system.posix_acl_access", acl)
except OSError:
    pass  # a file system without ACLs
os.utime(tmp, (424242, 424242))


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
