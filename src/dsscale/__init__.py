"""dsscale: the library behind *Scaling Distributed Systems, a runnable textbook*.

One module per concept; the book's chapters import from here and never keep a
second copy of the code.
"""

__version__ = "0.1.0"
