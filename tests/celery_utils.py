def reset_producer_pool(app) -> None:
    """Celery caches the producer pool of the first broker URL it was asked for (an eager
    task run earlier in the process caches one for the default URL); drop it so the next
    send uses the current URL."""
    from kombu import pools

    pools.reset()
    app.amqp._producer_pool = None
    app._pool = None
