// AccountStore: the account ports in one object, as an engine implements them —
// UserStore (users, keys, plans; user_store.h) and UsageStore (metered usage, key use,
// replica heartbeats; usage_store.h). The SQL engine implements it beside MetadataStore.
#pragma once

#include "store/usage_store.h"
#include "store/user_store.h"

namespace diamond::store {

class AccountStore : public UserStore, public UsageStore {
 public:
  ~AccountStore() override = default;
};

}  // namespace diamond::store
