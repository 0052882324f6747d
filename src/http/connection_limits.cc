#include "http/connection_limits.h"

#include <sys/resource.h>

#include <algorithm>

namespace diamond::http {

size_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  // An infinite hard limit still stops at the kernel's nr_open (1M by default).
  const rlim_t wanted = limit.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : limit.rlim_max;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
    rlimit raised = limit;
    raised.rlim_cur = wanted;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? size_t{1} << 20 : static_cast<size_t>(limit.rlim_cur);
}

size_t DefaultMaxConnections(size_t open_file_limit) {
  const size_t reserve = std::max<size_t>(128, open_file_limit / 4);
  if (open_file_limit <= 2 * reserve) return std::max<size_t>(1, open_file_limit / 2);
  return open_file_limit - reserve;
}

bool IsTrustedProxy(std::string_view address, const std::vector<std::string>& trusted_proxies) {
  return std::find(trusted_proxies.begin(), trusted_proxies.end(), address) !=
         trusted_proxies.end();
}

std::string ClientAddress(std::string_view peer, std::optional<std::string_view> forwarded_for,
                          const std::vector<std::string>& trusted_proxies) {
  if (!forwarded_for || !IsTrustedProxy(peer, trusted_proxies)) return std::string(peer);
  std::string_view last = *forwarded_for;
  if (const size_t comma = last.rfind(','); comma != std::string_view::npos)
    last.remove_prefix(comma + 1);
  while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
  while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) last.remove_suffix(1);
  // A proxy writes an address; anything else (empty, or text too long to be one) is not
  // trusted to stand for the client.
  if (last.empty() || last.size() > 64) return std::string(peer);
  return std::string(last);
}

bool AddressCounts::TryAdd(const std::string& address) {
  if (Count(address) >= max_per_address_) return false;
  ++counts_[address];
  return true;
}

void AddressCounts::Remove(const std::string& address) {
  auto it = counts_.find(address);
  if (it == counts_.end()) return;
  if (--it->second == 0) counts_.erase(it);
}

size_t AddressCounts::Count(const std::string& address) const {
  auto it = counts_.find(address);
  return it == counts_.end() ? 0 : it->second;
}

}  // namespace diamond::http
