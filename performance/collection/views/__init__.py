"""Data collection pages (SPEC §5): My returns and its Excel workbook (`returns`), the activation
queue, value review and corrections (`activation`), and the rounds (`rounds`).

Thin views: parse, call `due`/`rules`/`services`/`queue`/`excel`, render the page or the htmx
fragment. Access: an indicator or value outside the person's scope is a 404 (its id reveals
nothing); an action the role may not take on something they can see is a 403.
"""
