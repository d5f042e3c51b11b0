# Attack: send a hand-made message whose array claims dtype "object" and a pickled
# payload, then exit before the real one.
# Expected: dtype off the whitelist, nothing unpickled -> error "malformed result".
# expect[bubblewrap,unshare,none]: error ~ malformed result
import json
import os
import pickle
import struct
import sys

config = json.loads(sys.argv[1])
# The channel's own format: the JSON, then the pickle attached raw as the array's data.
array = {"dtype": "object", "shape": [1], "data": {"$bytes": 0}}
observation = {
    "raised": None,
    "returned": "dict",
    "entries": {"W1": array},
    "bad_keys": [],
    "layers_dims_after": [5, 1],
}
text = json.dumps({"observations": [[observation]] * 64}).encode()
data = pickle.dumps([1])
message = struct.pack(">II", len(text), 1) + text + struct.pack(">I", len(data)) + data
os.write(config["payload_fd"], struct.pack(">I", len(message)) + message)
os._exit(0)
