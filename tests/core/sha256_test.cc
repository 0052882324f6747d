// The resumable SHA-256: a hash saved and resumed at any byte equals the one-pass hash
// (what lets an append hash only the rows it adds), and a damaged state is refused.
#include "core/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace diamond {
namespace {

TEST(Sha256, KnownDigests) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, SavedAndResumedAtAnyByteEqualsOnePass) {
  std::string text;
  for (int i = 0; text.size() < 300; ++i) text += "carat,cut," + std::to_string(i * 7919) + "\n";
  const std::string whole = Sha256Hex(text);
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    Sha256 first;
    first.Update(std::string_view(text).substr(0, cut));
    const std::string state = first.SaveState();
    auto resumed = Sha256::Resume(state);
    ASSERT_TRUE(resumed.has_value()) << cut;
    // Resumed twice, in steps: block boundaries on either side of the cut do not matter.
    resumed->Update(std::string_view(text).substr(cut, 17));
    auto again = Sha256::Resume(resumed->SaveState());
    ASSERT_TRUE(again.has_value());
    if (cut + 17 < text.size()) again->Update(std::string_view(text).substr(cut + 17));
    EXPECT_EQ(again->HexDigest(), whole) << "cut at " << cut;
  }
}

TEST(Sha256, RefusesStatesItDidNotWrite) {
  Sha256 hash;
  hash.Update("0123456789");
  const std::string good = hash.SaveState();
  ASSERT_TRUE(Sha256::Resume(good).has_value());
  EXPECT_FALSE(Sha256::Resume("").has_value());
  EXPECT_FALSE(Sha256::Resume("sha256-1:").has_value());
  EXPECT_FALSE(
      Sha256::Resume(good.substr(0, good.size() - 2)).has_value());  // a buffered byte short
  EXPECT_FALSE(Sha256::Resume(good + "00").has_value());             // one too many
  std::string upper = good;
  upper[12] = 'G';
  EXPECT_FALSE(Sha256::Resume(upper).has_value());
  std::string too_many_buffered = good;
  too_many_buffered.replace(9 + 80, 8, "00000040");  // 64 bytes buffered: a whole block
  EXPECT_FALSE(Sha256::Resume(too_many_buffered).has_value());
}

}  // namespace
}  // namespace diamond
