"""The course's preprocessors for nbgrader, named in the course's nbgrader_config.py.

autograde.py -- SandboxedAutograde: `nbgrader autograde` grades in the sandbox, in place
                of nbgrader's Execute
feedback.py  -- ClearTestTracebacks: a test cell's error in feedback is one line
"""
