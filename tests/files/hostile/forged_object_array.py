# Attack: send a hand-made message whose array claims dtype "object" and a pickled
# payload, then exit before the real one.
# Expected: dtype off the whitelist, nothing unpickled -> error "malformed result".
# expect[bubblewrap,unshare,none]: error ~ malformed result
import base64
import json
import os
import pickle
import struct
import sys

config = json.loads(sys.argv[1])
array = {"dtype": "object", "shape": [1], "data": base64.b64encode(pickle.dumps([1])).decode()}
observation = {
    "raised": None,
    "returned": "dict",
    "entries": {"W1": array},
    "bad_keys": [],
    "layers_dims_after": [5, 1],
}
message = json.dumps({"observations": [[observation]] * 64}).encode()
os.write(config["payload_fd"], struct.pack(">I", len(message)) + message)
os._exit(0)
