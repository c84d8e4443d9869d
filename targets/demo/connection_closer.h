// cpp-httplib 0.11 keeps an idle keep-alive connection in its worker thread
// until the keep-alive timeout (seconds) even after Server::stop(), so stop()
// would block that long. This closes the read side of every socket this
// process accepted on `port`: idle workers see end-of-stream and return at
// once, while a request in progress can still write its response.
#pragma once

namespace racecheck::demo {

// Returns how many sockets it shut down. Linux only (/proc/self/fd).
int shutdown_reads_of_accepted_sockets(int port);

}  // namespace racecheck::demo
