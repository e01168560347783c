"""Accepts arrival_rate == service_rate (a saturated queue) and divides by zero."""
# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercise 1.4 — Little's law and a latency budget
#
# A service handles requests that arrive as a Poisson process and are served
# one at a time in arrival order, with exponential service times of mean
# $1/\mu$ (an M/M/1 queue). (Book: Chapter 1, "Little's law and queueing".)

# %%
def requests_in_flight(throughput, latency):
    """The mean number of requests inside the system, by Little's law.

    `throughput` in requests/s (>= 0) and `latency` in seconds (>= 0).
    Raise ValueError naming the offending parameter if either is negative.
    """
    ### BEGIN SOLUTION
    if throughput < 0:
        raise ValueError(f"throughput must be >= 0, got {throughput}")
    if latency < 0:
        raise ValueError(f"latency must be >= 0, got {latency}")
    return throughput * latency
    ### END SOLUTION


def mm1_mean_latency(arrival_rate, service_rate):
    """Mean time a request spends in the M/M/1 system above (waiting plus
    service), in seconds.

    Raise ValueError naming "arrival_rate" if arrival_rate < 0 or if the queue
    is unstable (arrival_rate >= service_rate), and naming "service_rate" if
    service_rate <= 0.
    """
    ### BEGIN SOLUTION
    if service_rate <= 0:
        raise ValueError(f"service_rate must be > 0, got {service_rate}")
    if arrival_rate < 0 or arrival_rate > service_rate:
        raise ValueError(
            f"arrival_rate must be in [0, service_rate), got {arrival_rate}")
    return 1.0 / (service_rate - arrival_rate)
    ### END SOLUTION


def max_arrival_rate(service_rate, target_latency):
    """Largest arrival rate whose M/M/1 mean latency is at most target_latency.

    If even an idle server cannot meet the target, return 0.0. Raise ValueError
    naming "target_latency" if it is <= 0, and "service_rate" if that is <= 0.
    """
    ### BEGIN SOLUTION
    if service_rate <= 0:
        raise ValueError(f"service_rate must be > 0, got {service_rate}")
    if target_latency <= 0:
        raise ValueError(f"target_latency must be > 0, got {target_latency}")
    return max(0.0, service_rate - 1.0 / target_latency)
    ### END SOLUTION


def analysis_servers_for_p99():
    """Analysis question: how many servers keep the p99 under 20 ms?

    Requests arrive as a Poisson process at 900 requests/s. A load balancer
    sends each request to one of N identical servers chosen uniformly at
    random, so each server is an M/M/1 queue fed a Poisson stream of 900 / N
    requests/s; each serves 500 requests/s on average (exponential service
    times). Return the smallest N (an int) for which the 99th percentile of a
    request's response time (waiting plus service) is below 20 ms. Derive it
    from the response-time distribution of an M/M/1 queue (Chapter 1,
    "M/M/1: the hockey stick").
    """
    ### BEGIN SOLUTION
    # M/M/1 response time ~ Exp(mu - lambda): p99 = ln(100) / (mu - lambda)
    import math

    n = 1
    while not (900 / n < 500
               and math.log(100) / (500 - 900 / n) < 0.020):
        n += 1
    return n
    ### END SOLUTION


# %%
if __name__ == "__main__":
    print(requests_in_flight(2000, 0.05), mm1_mean_latency(80, 100),
          max_arrival_rate(100, 0.05))
