"""Catnip: a tiny web app that shows a different cat GIF on every visit.

It is the app of dockstep's "Your first image" lesson: you package it,
with Python and Flask, into a Docker image of your own.
"""

import random

from flask import Flask, render_template

app = Flask(__name__)

# Where the GIFs live. Add your favourites: one address per line.
CAT_GIFS = [
    "https://media.giphy.com/media/JIX9t2j0ZTN9S/giphy.gif",
    "https://media.giphy.com/media/mlvseq9yvZhba/giphy.gif",
    "https://media.giphy.com/media/13CoXDiaCcCoyk/giphy.gif",
    "https://media.giphy.com/media/ICOgUNjpvO0PC/giphy.gif",
    "https://media.giphy.com/media/VbnUQpnihPSIgIXuZv/giphy.gif",
]


@app.route("/")
def index():
    return render_template("index.html", url=random.choice(CAT_GIFS))


if __name__ == "__main__":
    # 0.0.0.0: answer on every network interface of the container, not only
    # inside it, so that a port published with docker run -p reaches us.
    app.run(host="0.0.0.0", port=5000)
