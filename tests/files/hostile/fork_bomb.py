# Attack: a fork bomb while the cells run: every process forks forever.
# Expected: RLIMIT_NPROC caps the processes of the sandbox user, the wall-clock limit
# ends the job, and every forked process is gone afterwards -> timeout.
# (Not run without namespaces: there the grader's uid, root here, is exempt from RLIMIT_NPROC.)
# expect[bubblewrap,unshare]: timeout ~ time limit
import os

while True:
    try:
        os.fork()
    except OSError:
        pass
