"""The Manage area: performance officers set up the organisation, plans and indicators.

Most things a performance officer configures are plain records with a parent (an outcome under
a priority, a milestone under an activity), so one set of list / create / edit / delete views
(`records`) serves them all from the declarative table `kinds.KINDS`: each kind names its form
(and so its model), list columns, parents, children and links. People's roles and team members
(`people`) and the year table of targets (`targets`) have views of their own. Everyone but a
performance officer gets 403 on every URL here (`common.officer_required`).
"""
