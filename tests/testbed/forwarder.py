#!/usr/bin/python3
"""TCP forwarding of loopback ports into other network namespaces (the distributed run's Kafka).

librdkafka's mock cluster listens on 127.0.0.1 and advertises those addresses, so a client in
another namespace must find the same ports on its own loopback. Run inside the namespace that
hosts the ports; for every namespace given, this listens on 127.0.0.1:PORT there (entered with
setns(2), which Python 3.11's os module lacks) and relays each connection to 127.0.0.1:PORT
here. Needs root. Ends on SIGTERM/SIGINT.

  forwarder.py --ports 35771,40643 --netns eotb-srv,eotb-eu
"""

import argparse
import ctypes
import os
import signal
import socket
import sys
import threading

CLONE_NEWNET = 0x40000000
CHUNK = 65536  # one read's bound; relayed before the next read
CONNECT_TIMEOUT_S = 5

_libc = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


def listen_in(namespace, port):
    """A listening socket on 127.0.0.1:port inside `namespace` (the thread returns home)."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/var/run/netns/{namespace}", os.O_RDONLY)
    try:
        setns(target)
        try:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
            sock.listen(64)
        finally:
            setns(home)
    finally:
        os.close(target)
        os.close(home)
    return sock


def pump(src, dst):
    try:
        while True:
            data = src.recv(CHUNK)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def relay(client, port):
    try:
        upstream = socket.create_connection(("127.0.0.1", port), timeout=CONNECT_TIMEOUT_S)
        upstream.settimeout(None)
    except OSError:
        client.close()
        return
    t = threading.Thread(target=pump, args=(upstream, client), daemon=True)
    t.start()
    pump(client, upstream)
    t.join()
    client.close()
    upstream.close()


def serve(listener, port):
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=relay, args=(client, port), daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ports", required=True, help="comma-separated ports")
    parser.add_argument("--netns", required=True, help="comma-separated namespace names")
    args = parser.parse_args()
    ports = [int(p) for p in args.ports.split(",") if p]
    listeners = [(listen_in(ns, port), port)
                 for ns in args.netns.split(",") if ns for port in ports]
    for listener, port in listeners:
        threading.Thread(target=serve, args=(listener, port), daemon=True).start()
    print(f"forwarding {len(ports)} ports into {len(listeners) // max(len(ports), 1)} "
          f"namespaces", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(1.0):
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
