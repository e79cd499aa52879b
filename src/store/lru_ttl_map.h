#pragma once
// A bounded LRU map whose entries also expire. Not thread-safe: the owner locks. Written by
// hand because neither the standard library nor Debian's packaged libraries have one, and it
// is forty lines.
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace tgscribe::store {

template <typename V>
class LruTtlMap {
 public:
  // max_entries <= 0: unbounded. Expiry times are unix ms; 0 = never.
  explicit LruTtlMap(int64_t max_entries) : max_entries_(max_entries) {}

  // Returns the live value and marks it most recently used; drops it when expired.
  V* find(const std::string& key, int64_t now_ms) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    if (expired(*it->second, now_ms)) {
      order_.erase(it->second);
      index_.erase(it);
      return nullptr;
    }
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->value;
  }

  // Inserts or replaces; evicts the least recently used entries beyond the bound.
  V& put(const std::string& key, V value, int64_t expires_ms) {
    auto it = index_.find(key);
    if (it != index_.end()) {
      it->second->value = std::move(value);
      it->second->expires_ms = expires_ms;
      order_.splice(order_.begin(), order_, it->second);
      return it->second->value;
    }
    order_.push_front(Node{key, std::move(value), expires_ms});
    index_[key] = order_.begin();
    while (max_entries_ > 0 && static_cast<int64_t>(order_.size()) > max_entries_) {
      index_.erase(order_.back().key);
      order_.pop_back();
    }
    return order_.front().value;
  }

  // Removes every entry for which pred(key, value) is true.
  template <typename Pred>
  void erase_if(Pred pred) {
    for (auto it = order_.begin(); it != order_.end();) {
      if (pred(it->key, it->value)) {
        index_.erase(it->key);
        it = order_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void purge_expired(int64_t now_ms) {
    for (auto it = order_.begin(); it != order_.end();) {
      if (expired(*it, now_ms)) {
        index_.erase(it->key);
        it = order_.erase(it);
      } else {
        ++it;
      }
    }
  }

  size_t size() const { return order_.size(); }

 private:
  struct Node {
    std::string key;
    V value;
    int64_t expires_ms;
  };
  static bool expired(const Node& n, int64_t now_ms) {
    return n.expires_ms != 0 && n.expires_ms <= now_ms;
  }

  int64_t max_entries_;
  std::list<Node> order_;  // most recently used first
  std::unordered_map<std::string, typename std::list<Node>::iterator> index_;
};

}  // namespace tgscribe::store
