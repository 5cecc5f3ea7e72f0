"""Every change of a registration's state: each service opens its own transaction, locks what it
changes through `locking`, writes its own audit entry and queues its emails after the commit."""
