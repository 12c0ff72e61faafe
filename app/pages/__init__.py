"""Server-rendered pages (Jinja2 + htmx, Bootstrap Italia), Italian first, English second."""
