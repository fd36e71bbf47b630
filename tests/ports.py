"""A loopback port nothing listens on, for a private server to take or for a
client to be refused at once."""

import socket


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
