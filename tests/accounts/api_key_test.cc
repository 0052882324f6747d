#include "accounts/api_key.h"

#include <gtest/gtest.h>

#include <set>

namespace diamond::accounts {
namespace {

TEST(ApiKey, GeneratedKeysHaveTheSchemeLengthAndAHashOfThemselves) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    NewApiKey k = GenerateApiKey();
    EXPECT_TRUE(IsWellFormedKey(k.key)) << k.key;
    EXPECT_EQ(k.key.size(), kKeyLength);
    EXPECT_EQ(k.prefix, k.key.substr(0, kPrefixLength));
    KeyDigest stored{};
    ASSERT_TRUE(ParseHexDigest(k.hash, &stored));
    EXPECT_TRUE(DigestsEqual(stored, DigestKey(k.key)));
    EXPECT_EQ(k.hash.find(k.key.substr(4)), std::string::npos)
        << "the hash does not contain the key";
    EXPECT_TRUE(seen.insert(k.key).second) << "a repeated key";
  }
}

TEST(ApiKey, DigestIsSha256) {
  // sha256sum of the 44 bytes "dmd_0123456789abcdef0123456789abcdef01234567".
  KeyDigest expected{};
  ASSERT_TRUE(ParseHexDigest("2ffc40e1acbb73fe52d5c0cfaf379af18595caf6bc7c0b28548def4285fa4181",
                             &expected));
  EXPECT_TRUE(DigestsEqual(DigestKey("dmd_0123456789abcdef0123456789abcdef01234567"), expected));
}

TEST(ApiKey, RejectsWhatIsNotAKey) {
  for (const char* bad : {"", "dmd_", "dmd_0123456789abcdef0123456789abcdef0123456",  // one short
                          "dmd_0123456789abcdef0123456789abcdef012345678",            // one long
                          "dmd_0123456789ABCDEF0123456789abcdef01234567",             // upper case
                          "key_0123456789abcdef0123456789abcdef01234567",             // scheme
                          "dmd_0123456789abcdef0123456789abcdef0123456\n"}) {
    EXPECT_FALSE(IsWellFormedKey(bad)) << bad;
  }
  KeyDigest out{};
  EXPECT_FALSE(ParseHexDigest("abc", &out));
  EXPECT_FALSE(ParseHexDigest(std::string(64, 'g'), &out));
}

TEST(ApiKey, DigestsDifferingInOneBitAreUnequal) {
  KeyDigest a = DigestKey("dmd_0123456789abcdef0123456789abcdef01234567");
  for (size_t i = 0; i < a.size(); ++i) {
    KeyDigest b = a;
    b[i] ^= 1;
    EXPECT_FALSE(DigestsEqual(a, b)) << i;
  }
  EXPECT_TRUE(DigestsEqual(a, a));
}

}  // namespace
}  // namespace diamond::accounts
