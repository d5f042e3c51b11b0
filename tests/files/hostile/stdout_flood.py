# Attack: flood stdout and stderr (a denial of service, and a hope of corrupting the channel).
# Expected: the output limit stops it -> error.
# expect[bubblewrap,unshare,none]: error ~ output limit (1 MiB) exceeded
import sys

while True:
    print("x" * 10000)
    sys.stderr.write("y" * 10000)
