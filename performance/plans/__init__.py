"""Plans and the golden thread (SPEC §2): the Strategic Plan, service plans with monthly progress,
strategic actions with bi-annual updates, and action plans kept as versions."""
