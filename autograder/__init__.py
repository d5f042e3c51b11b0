"""The course's autograder: grade student notebooks of the Initialization assignment.

The flow of one notebook, module by module:

    notebook.py       -- read the .ipynb as plain JSON (never executed)
    extraction.py     -- from its cells to the program the sandbox runs: definitions only
    analysis.py       -- static checks: a missing function, a changed signature, globals
    bounded.py        -- the three steps above in a forked child, under limits
    sandbox/          -- run the graded functions in warm, isolated workers (a subpackage)
    probe.py          -- what the sandbox's workers preload for this course
    observations.py   -- what a job observes of each call, and how the grader reads it back
    grading.py        -- the pipeline: prepare, run, judge with public_tests, report
    misconceptions.py -- the recognised mistakes that feedback names first
    report.py         -- the output edge: table, JSON, CSV and Gradescope results

The assignment and its data:

    assignment.py     -- the exercises, their nbgrader cells, points and cases (defined once)
    cases.py          -- the public and hidden cases; reference.py, the correct initialiser
    data.py           -- the typed data: Exercise, ExerciseResult, Report, Status

The commands (cli.py, `autograder` or `python -m autograder`): grade, check, grade-batch
(batch.py, with batch_output.py writing as it goes); safe_text.py escapes untrusted text;
nbgrader_feedback.py is what nbgrader's feedback may show of a test cell's error.
"""
