"""A bare Flask "hello world", the yardstick for bench/throughput.py (DESIGN.md §5)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
