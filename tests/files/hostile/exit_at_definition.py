# Attack: sys.exit(0) while the cells run, hoping a clean exit passes for success.
# Expected: the job ends before reporting -> error, whatever the exit status.
# expect[bubblewrap,unshare,none]: error ~ the student code exited (status 0) before reporting
import sys

sys.exit(0)
