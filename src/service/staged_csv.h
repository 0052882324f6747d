// A dataset version's new segment on its way to the blob store: canonical CSV rows
// staged in a nameless scratch file (bounded memory whatever the size; a crash leaves
// nothing), hashed and counted as they are written. Used by the dataset version writer.
#pragma once

#include <cstdint>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

#include "base/scratch_file.h"
#include "core/diamond.h"
#include "core/diamond_csv_writer.h"
#include "core/sha256.h"
#include "core/status.h"

namespace diamond::service {

inline constexpr size_t kStagedFlushBytes = 1 << 20;

// What is written to the staging file passes here on its way: hashed and counted once, as
// it is written. The hash may go on from a base version's (an append's new segment).
class DigestingBuf final : public std::streambuf {
 public:
  DigestingBuf(std::streambuf& file, Sha256 hash) : file_(file), hash_(std::move(hash)) {}
  int64_t bytes() const { return bytes_; }
  Sha256& hash() { return hash_; }

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    hash_.Update(std::string_view(s, static_cast<size_t>(n)));
    bytes_ += n;
    return file_.sputn(s, n);
  }
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    const char ch = traits_type::to_char_type(c);
    return xsputn(&ch, 1) == 1 ? c : traits_type::eof();
  }
  int sync() override { return file_.pubsync(); }

 private:
  std::streambuf& file_;
  Sha256 hash_;
  int64_t bytes_ = 0;
};

// The new version's segment, staged in a scratch file (nameless: a crash leaves nothing):
// the whole canonical CSV, or the rows an append adds (`hash` then goes on from the base's).
class StagedCsv {
 public:
  StagedCsv(const std::string& dir, Sha256 hash)
      : file_(dir, "diamond-version-"), digest_(file_.buffer(), std::move(hash)) {}
  StagedCsv(const StagedCsv&) = delete;
  StagedCsv& operator=(const StagedCsv&) = delete;

  bool opened() const { return file_.opened(); }
  std::ostream& stream() { return out_; }
  void Add(const Diamond& stone) {
    AppendCsvRow(stone, &buffer_);
    if (buffer_.size() >= kStagedFlushBytes) Flush();
  }
  void Write(std::string_view bytes) {
    Flush();
    out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  // Bytes written so far (buffered ones included).
  int64_t bytes() const { return digest_.bytes() + static_cast<int64_t>(buffer_.size()); }
  // Flushes the file and rewinds it for reading; then bytes() and sha256() describe all of it.
  Status Finish() {
    Flush();
    out_.flush();
    if (out_.fail() || !file_.Rewind())
      return Status::IoError("cannot write the staged upload in " + file_.where());
    return Status::Ok();
  }
  // After Finish: the hash's state, then the digest (which spends it).
  std::string sha256_state() { return digest_.hash().SaveState(); }
  std::string sha256() { return digest_.hash().HexDigest(); }
  // After Finish: the staged bytes, from the first.
  std::streambuf& contents() { return file_.buffer(); }

 private:
  void Flush() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
  }
  ScratchFile file_;
  DigestingBuf digest_;
  std::ostream out_{&digest_};
  std::string buffer_;
};

}  // namespace diamond::service
