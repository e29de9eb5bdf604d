"""The data collection cycle (SPEC §5): rounds and due items, the entry rules, the value workflow
(save, submit, activate, return, correct), the Excel return, `import_values`, reminders and the
pages of My returns, the activation queue and rounds."""
