// How many connections the server holds, and from whom: the policy half of the server's
// defence against clients that open connections and never finish a request (issue 27).
// No sockets here (server.cc applies it), so the rules can be tested on their own.
//
//   - A total cap (--max-connections), by default sized from the process's open-file
//     limit with room left for the stores, blob files and outgoing connections, so the
//     server stops accepting before the kernel refuses it descriptors.
//   - A cap per client address (--max-connections-per-ip), so that one address cannot
//     hold every slot. Addresses of trusted proxies (--trusted-proxy) are exempt: every
//     client behind nginx shares its address. Their X-Forwarded-For names the client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace diamond::http {

struct ConnectionLimitsConfig {
  size_t max_connections = 0;  // 0: DefaultMaxConnections(the open-file limit)
  size_t max_per_address = 64;
  std::vector<std::string> trusted_proxies;  // addresses, as the server prints them
};

// Raises the soft open-file limit to the hard one (a descriptor per connection is the
// server's main use of them) and returns the soft limit in force afterwards.
size_t RaiseOpenFileLimit();

// The total cap that leaves room in `open_file_limit` for everything that is not a client
// connection: a quarter of the limit, at least 128 descriptors.
size_t DefaultMaxConnections(size_t open_file_limit);

// Whether `address` is one of `trusted_proxies`.
bool IsTrustedProxy(std::string_view address, const std::vector<std::string>& trusted_proxies);

// The client's address: the peer's, or, when the peer is a trusted proxy and sent an
// X-Forwarded-For, the last address in it (the one that proxy appended; earlier entries
// are whatever the client wrote and prove nothing).
std::string ClientAddress(std::string_view peer, std::optional<std::string_view> forwarded_for,
                          const std::vector<std::string>& trusted_proxies);

// Open connections per client address. Not thread-safe: the server holds its lock.
class AddressCounts {
 public:
  explicit AddressCounts(size_t max_per_address) : max_per_address_(max_per_address) {}
  // Counts one more connection from `address` unless that would pass the cap.
  bool TryAdd(const std::string& address);
  void Remove(const std::string& address);
  size_t Count(const std::string& address) const;

 private:
  size_t max_per_address_;
  std::unordered_map<std::string, size_t> counts_;
};

}  // namespace diamond::http
