// BlobStore on any S3-compatible object store (s3_client.h). Objects larger than the part
// size go up as multipart uploads following S3's rules: every part but the last at least
// 5 MiB, the parts' ETags listed in order on completion (whose 200 answer may still carry
// an error), and AbortMultipartUpload on any failure so no parts are left behind.
// S3 PUT is atomic and durable once answered, as the BlobStore contract requires.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "store/blob_store.h"
#include "store/s3_client.h"

namespace diamond::store {

class S3BlobStore final : public BlobStore {
 public:
  static constexpr size_t kMinPartSize = size_t{5} << 20;  // S3's minimum (but the last)
  static constexpr size_t kDefaultPartSize = size_t{16} << 20;

  // `url`: s3://bucket[/prefix]?endpoint=…&region=…; credentials from the environment.
  // Checks that the bucket answers before returning.
  static Result<std::unique_ptr<S3BlobStore>> Open(const std::string& url,
                                                   size_t part_size = kDefaultPartSize);

  Status Put(const std::string& key, std::string_view bytes) override;
  Result<std::string> Get(const std::string& key) const override;
  Status Delete(const std::string& key) override;
  Result<std::vector<BlobInfo>> List(const std::string& prefix) const override;
  // Memory: one part (part_size) at a time.
  Status PutFrom(const std::string& key, std::istream& in) override;
  Status GetTo(const std::string& key, std::ostream& out) const override;
  Result<std::string> GetRange(const std::string& key, int64_t offset,
                               int64_t length) const override;
  Result<BlobInfo> Stat(const std::string& key) const override;
  Result<std::vector<BlobInfo>> ListPage(const std::string& prefix, const std::string& start_after,
                                         size_t limit) const override;
  // S3's CreateMultipartUpload, UploadPart, UploadPartCopy (with a source range),
  // CompleteMultipartUpload and AbortMultipartUpload. Parts left by a process that died
  // are S3's to expire: give the bucket a lifecycle rule that aborts incomplete multipart
  // uploads after a day or two (docs/operations.md).
  Result<std::string> StartParts(const std::string& key) override;
  Result<std::string> PutPart(const std::string& key, const std::string& parts_id, int64_t number,
                              std::string_view bytes) override;
  Result<std::string> CopyPart(const std::string& key, const std::string& parts_id, int64_t number,
                               const std::string& source, int64_t offset, int64_t length) override;
  Status CompleteParts(const std::string& key, const std::string& parts_id,
                       const std::vector<std::pair<int64_t, std::string>>& parts) override;
  Status AbortParts(const std::string& key, const std::string& parts_id) override;

 private:
  S3BlobStore(S3Client client, size_t part_size)
      : client_(std::move(client)), part_size_(part_size) {}
  // Fills `part` with the next part's bytes (at most part_size); false at the end.
  using PartSource = std::function<Result<bool>(std::string& part)>;
  // A multipart upload of `first` and then whatever `next` yields.
  Status PutMultipart(const std::string& key, std::string first, const PartSource& next);
  // One UploadPart (or UploadPartCopy, given x-amz-copy-source headers); returns the ETag.
  Result<std::string> SendPart(const std::string& key, const std::string& parts_id, int64_t number,
                               std::string_view bytes,
                               const std::vector<std::pair<std::string, std::string>>& headers);
  std::string ObjectKey(const std::string& key) const { return client_.location().prefix + key; }

  S3Client client_;
  size_t part_size_;
};

}  // namespace diamond::store
