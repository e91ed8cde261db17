from insight.cli import app

app(prog_name="insight")
