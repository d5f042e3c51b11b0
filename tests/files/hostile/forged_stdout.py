# Attack: print what looks like a result message (framed JSON of perfect observations),
# hoping the grader reads stdout.
# Expected: stdout goes to a capped sink, never to the channel -> ok, judged as a fail.
# expect[bubblewrap,unshare,none]: ok, judged fail
import json
import struct
import sys

fake = json.dumps({"observations": []}).encode()
sys.stdout.buffer.write(struct.pack(">I", len(fake)) + fake)
sys.stdout.flush()


def initialize_parameters_he(layers_dims):
    print('{"status": "ok", "passed": true, "score": 7}')
    return None
