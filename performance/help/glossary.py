"""The glossary of the help page (issue 19): the handbook's Jargon Buster ("A guide to
performance management", Maidstone Borough Council), in its own words where it has the term,
and the terms Summit adds (statistical process control, the levels, the collection workflow).
Terms the handbook names that Summit no longer uses (Covalent, its former system) are left out.
"""

from __future__ import annotations

# (term, what it means, source): "handbook" for the Jargon Buster's wording, "summit" otherwise.
TERMS: tuple[tuple[str, str, str], ...] = (
    (
        "Activation",
        "A manager's check of a submitted value. Only activated values count in "
        "statuses, reports and Reach the Summit.",
        "summit",
    ),
    (
        "Assurance (SPC)",
        "Whether the process, as it runs now, can be relied on to meet its "
        "target: it consistently passes, consistently fails, or hits and misses, depending on "
        "where the target sits against the process limits.",
        "summit",
    ),
    (
        "Balanced Scorecard (BSC)",
        "A strategic tool to help senior managers to manage strategy "
        "and evaluate progress by linking corporate / directorate objectives, measures and "
        "targets.",
        "handbook",
    ),
    (
        "Baseline",
        "Performance level either current or historic against which future "
        "improvement is measured.",
        "handbook",
    ),
    (
        "Basecamp, Firstbase, Summit",
        "The three levels up the mountain of Reach the Summit, "
        "which are also the RAG status of every indicator: Summit (Green) is on target, "
        "Firstbase (Amber) is just below it, within the indicator's tolerance, Basecamp (Red) is "
        "below it by the tolerance or more.",
        "summit",
    ),
    ("CIPFA", "Chartered Institute of Public Finance and Accountancy.", "handbook"),
    (
        "Common cause variation",
        "The natural ups and downs of a process that is working as it "
        "usually does. No single point needs explaining; to change the level, change the "
        "process.",
        "summit",
    ),
    (
        "Cross cutting",
        "This refers to plans, strategies, action plans, performance standards "
        "that cut across more than one service.",
        "handbook",
    ),
    (
        "Cumulative Data",
        "The sum of more than one period's performance e.g. 3 consecutive "
        "months data added together to form the cumulative data for the quarter.",
        "handbook",
    ),
    (
        "Direction of Travel (DoT)",
        "Whether an indicator or a service/organisation is "
        "improving, deteriorating or remaining stable.",
        "handbook",
    ),
    (
        "Golden Thread",
        "The link between the different plans within an organisation. This "
        "helps to make sure that each individual's contribution is directly linked to overall "
        "objectives and strategies.",
        "handbook",
    ),
    (
        "Milestone",
        "A significant stage or event in the process and or progress of a larger project.",
        "handbook",
    ),
    (
        "No data",
        "No value was given for a period by the time its collection window closed, "
        "or it was marked No data with a reason.",
        "summit",
    ),
    ("Objective", "A precise statement about what a service is supposed to achieve.", "handbook"),
    ("Outcome", "The impact of Council activity on local people and the community.", "handbook"),
    (
        "Output",
        "Outputs are 'the goods and services produced by the organisation', i.e. what "
        "comes out of a service. For example, they include the bins that a local council "
        "empties, or the places in homes for older people.",
        "handbook",
    ),
    (
        "Performance Standards",
        "Verifiable, measurable levels of services in terms of quality, timing etc.",
        "handbook",
    ),
    ("PI", "Performance Indicator.", "handbook"),
    (
        "Process limits",
        "The upper and lower lines on an SPC chart, three sigma (about three "
        "standard deviations) either side of the mean, worked out from the values themselves. "
        "Almost every point of a stable process falls between them; a point outside is a "
        "special cause.",
        "summit",
    ),
    (
        "Quartile",
        "A statistical term describing a division of data into four defined "
        "intervals based upon the values of the data and how they compare to the entire set of "
        "observations.",
        "handbook",
    ),
    ("RAG", "Red, Amber, Green: the status of a value against its target.", "summit"),
    (
        "Service Plan",
        "A plan that sets out what the service aims to achieve operationally, "
        "how it will get there and how it will measure and assess progress.",
        "handbook",
    ),
    (
        "Special cause variation",
        "A change that the natural ups and downs of the process do "
        "not explain: a point outside the process limits, a run of points on one side of the "
        "mean, a steady trend, or two of three points near a limit. It is worth finding out "
        "why; it may be improving or concerning.",
        "summit",
    ),
    (
        "Statistical process control (SPC)",
        "A way of reading a series of values over time "
        "that separates common cause variation from special cause variation, so that people "
        "react to real changes and not to noise. Summit reads it from 12 values or more.",
        "summit",
    ),
    ("Target", "A target is the defining standard of success. A goal to be aimed for.", "handbook"),
    (
        "Tolerance",
        "How far below target a value may be and still be Firstbase (Amber) "
        "rather than Basecamp (Red); 10% unless the indicator says otherwise.",
        "summit",
    ),
    ("VFM", "Value for Money.", "handbook"),
    (
        "Vision",
        "Concise written statement defining the long-term direction of the organisation.",
        "handbook",
    ),
)
