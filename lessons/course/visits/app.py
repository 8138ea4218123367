"""Catnip with a visit counter: the app of dockstep's Compose lesson.

The page shows a random cat GIF and how many times it has been visited. The
count lives in Redis, a database in a second container, so that it survives
restarts of the app and is shared by every copy of it.
"""

import os
import random

from flask import Flask, render_template
from redis import Redis

app = Flask(__name__)

# "redis" is the name of the Redis service in compose.yaml. On the network
# that Compose makes for the project, that name leads to its container.
counter = Redis(host=os.environ.get("REDIS_HOST", "redis"), port=6379)

CAT_GIFS = [
    "https://media.giphy.com/media/JIX9t2j0ZTN9S/giphy.gif",
    "https://media.giphy.com/media/mlvseq9yvZhba/giphy.gif",
    "https://media.giphy.com/media/13CoXDiaCcCoyk/giphy.gif",
    "https://media.giphy.com/media/ICOgUNjpvO0PC/giphy.gif",
    "https://media.giphy.com/media/VbnUQpnihPSIgIXuZv/giphy.gif",
]


@app.route("/")
def index():
    visits = counter.incr("visits")
    return render_template("index.html", url=random.choice(CAT_GIFS), visits=visits)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
