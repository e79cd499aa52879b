#pragma once
// Raw TCP clients for tests that speak to a server below HTTP (slow heads, bytes on an idle
// connection, many connections from "different machines"). 127.0.0.0/8 is all local on Linux,
// so a client bound to 127.0.2.7 looks like another host to a per-address limit.
namespace tgscribe::testing {

// A connected socket to 127.0.0.1:`port` from the loopback address `source`, or -1.
// `recv_timeout_s` > 0 bounds each recv() on it (0: recv() waits as long as it takes).
// The caller closes it.
int connect_loopback(int port, const char* source = "127.0.0.1", int recv_timeout_s = 0);

}  // namespace tgscribe::testing
