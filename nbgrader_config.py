"""nbgrader configuration of the Initialization course (read when nbgrader runs in this folder).

The course directory is the folder of this file, so a copy of it configures a copy of the course
(the lifecycle and release tests rely on that).
"""

import os

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "initialization-course"
# source/<assignment> and release/<assignment> are nbgrader's defaults; spelled out for readers.
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"

# Students get this stub where the source notebook has ### BEGIN / END SOLUTION.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# How autograding executes a submission: the first entry. The course's SandboxedAutograde grades
# the three functions in the sandbox, as `python -m autograder grade` does (no kernel; the hidden
# cases never meet student code), and writes each test cell's points and feedback. For nbgrader's
# stock execution (the whole notebook in a kernel, trainings included), make that entry
# "nbgrader.preprocessors.Execute"; the rest is nbgrader's default list.
c.Autograde.autograde_preprocessors = [
    "autograder.nbgrader.autograde.SandboxedAutograde",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# The sandbox's settings: isolation "auto" (bubblewrap, else unshare, else none, with a warning
# in the log), one worker an exercise.
c.SandboxedAutograde.isolation = "auto"

# Stock execution only: the three trainings take about ten seconds together; a stuck submission
# is stopped after five minutes a cell rather than blocking autograding.
c.ExecutePreprocessor.timeout = 300

# The feedback page shows every cell's source and outputs, and nbgrader's default keeps the
# hidden blocks of the test cells: the hidden cases' layer sizes and expected values would reach
# students. ClearHiddenTests removes the blocks from the source; their PASS/FAIL lines stay. A test
# cell that raised also quotes its hidden block in its traceback: ClearTestTracebacks keeps only
# the error's one-line reason.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "nbgrader.preprocessors.ClearHiddenTests",
    "autograder.nbgrader.feedback.ClearTestTracebacks",
]
