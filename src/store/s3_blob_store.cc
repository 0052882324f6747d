#include "store/s3_blob_store.h"

#include <ctime>
#include <limits>
#include <pugixml.hpp>

#include "base/logger.h"

namespace diamond::store {
namespace {

Status Failed(const std::string& what, const S3Response& response) {
  return Status::IoError("S3 " + what + ": " + S3ErrorText(response));
}

// "2026-11-30T08:00:00.000Z" → Unix seconds (0 if malformed).
int64_t ParseIsoTime(const std::string& text) {
  std::tm tm{};
  if (strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

std::string XmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<S3BlobStore>> S3BlobStore::Open(const std::string& url, size_t part_size) {
  auto location = ParseS3Url(url);
  if (!location.ok()) return location.status();
  auto credentials = CredentialsFromEnvironment();
  if (!credentials.ok()) return credentials.status();
  if (part_size < kMinPartSize) {
    return Status::InvalidArgument("an S3 part must be at least 5 MiB (S3's minimum)");
  }
  std::unique_ptr<S3BlobStore> store(new S3BlobStore(S3Client(*location, *credentials), part_size));
  // A cheap signed request: wrong credentials, a missing bucket or an unreachable
  // endpoint are reported at start, not at the first upload.
  auto probe = store->client_.Send("GET", "", {{"list-type", "2"}, {"max-keys", "1"}}, "");
  if (!probe.ok()) return probe.status();
  if (probe->status != 200)
    return Failed("bucket " + location->bucket + " does not answer", *probe);
  return store;
}

Status S3BlobStore::Put(const std::string& key, std::string_view bytes) {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  const std::string object = ObjectKey(key);
  if (bytes.size() > part_size_) {
    size_t offset = part_size_;
    return PutMultipart(key, std::string(bytes.substr(0, part_size_)),
                        [&](std::string& part) -> Result<bool> {
                          if (offset >= bytes.size()) return false;
                          part.assign(bytes.substr(offset, part_size_));
                          offset += part.size();
                          return true;
                        });
  }
  auto response =
      client_.Send("PUT", object, {}, bytes, {{"content-length", std::to_string(bytes.size())}});
  if (!response.ok()) return response.status();
  if (response->status != 200) return Failed("PUT " + key, *response);
  return Status::Ok();
}

Result<std::string> S3BlobStore::StartParts(const std::string& key) {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  auto created = client_.Send("POST", ObjectKey(key), {{"uploads", ""}}, "");
  if (!created.ok()) return created.status();
  if (created->status != 200) return Failed("CreateMultipartUpload " + key, *created);
  pugi::xml_document doc;
  doc.load_buffer(created->body.data(), created->body.size());
  std::string upload_id = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
  if (upload_id.empty())
    return Status::IoError("S3 CreateMultipartUpload " + key + ": no UploadId in the answer");
  return upload_id;
}

Result<std::string> S3BlobStore::SendPart(
    const std::string& key, const std::string& parts_id, int64_t number, std::string_view bytes,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  if (number < 1 || number > 10000) return Status::InvalidArgument("a part number is 1 to 10000");
  const std::string what = "part " + std::to_string(number) + " of " + key;
  auto sent = client_.Send("PUT", ObjectKey(key),
                           {{"partNumber", std::to_string(number)}, {"uploadId", parts_id}}, bytes,
                           headers);
  if (!sent.ok()) return sent.status();
  if (sent->status == 404)
    return Status::NotFound("S3 " + what + ": " + S3ErrorText(*sent) + " (completed or aborted)");
  if (sent->status != 200) return Failed("UploadPart " + what, *sent);
  // UploadPartCopy answers with a CopyPartResult (or, with 200, an Error); UploadPart
  // with an ETag header.
  std::string etag;
  if (const auto header = sent->headers.find("etag"); header != sent->headers.end())
    etag = header->second;
  if (!sent->body.empty()) {
    pugi::xml_document doc;
    doc.load_buffer(sent->body.data(), sent->body.size());
    if (doc.child("Error")) return Failed("UploadPartCopy " + what, *sent);
    if (const char* copied = doc.child("CopyPartResult").child_value("ETag"); *copied != '\0')
      etag = copied;
  }
  if (etag.empty()) return Status::IoError("S3 UploadPart " + what + ": no ETag");
  return etag;
}

Result<std::string> S3BlobStore::PutPart(const std::string& key, const std::string& parts_id,
                                         int64_t number, std::string_view bytes) {
  return SendPart(key, parts_id, number, bytes, {{"content-length", std::to_string(bytes.size())}});
}

Result<std::string> S3BlobStore::CopyPart(const std::string& key, const std::string& parts_id,
                                          int64_t number, const std::string& source, int64_t offset,
                                          int64_t length) {
  if (!IsValidBlobKey(source)) return Status::InvalidArgument("invalid blob key '" + source + "'");
  if (offset < 0 || length <= 0)
    return Status::InvalidArgument("a part is copied from a non-empty range");
  // Keys are made of [A-Za-z0-9._-/] only: nothing in the source needs escaping.
  return SendPart(key, parts_id, number, "",
                  {{"x-amz-copy-source", "/" + client_.location().bucket + "/" + ObjectKey(source)},
                   {"x-amz-copy-source-range", "bytes=" + std::to_string(offset) + "-" +
                                                   std::to_string(offset + length - 1)}});
}

Status S3BlobStore::CompleteParts(const std::string& key, const std::string& parts_id,
                                  const std::vector<std::pair<int64_t, std::string>>& parts) {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  if (parts.empty()) return Status::InvalidArgument("a blob is assembled from one part at least");
  std::string request = "<CompleteMultipartUpload>";
  for (const auto& [number, etag] : parts) {
    request += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" +
               XmlEscape(etag) + "</ETag></Part>";
  }
  request += "</CompleteMultipartUpload>";
  auto completed = client_.Send("POST", ObjectKey(key), {{"uploadId", parts_id}}, request);
  if (!completed.ok()) return completed.status();
  // S3 may answer 200 and report the failure in the body, once the upload has been
  // assembled: only a CompleteMultipartUploadResult is success.
  pugi::xml_document result;
  result.load_buffer(completed->body.data(), completed->body.size());
  if (completed->status == 200 && result.child("CompleteMultipartUploadResult"))
    return Status::Ok();
  const std::string code = result.child("Error").child_value("Code");
  if (completed->status == 404)
    return Status::NotFound("S3 CompleteMultipartUpload " + key + ": " + S3ErrorText(*completed));
  if (code == "InvalidPart" || code == "InvalidPartOrder" || code == "EntityTooSmall") {
    return Status::FailedPrecondition("S3 CompleteMultipartUpload " + key + ": " +
                                      S3ErrorText(*completed));
  }
  return Failed("CompleteMultipartUpload " + key, *completed);
}

Status S3BlobStore::AbortParts(const std::string& key, const std::string& parts_id) {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  auto aborted = client_.Send("DELETE", ObjectKey(key), {{"uploadId", parts_id}}, "");
  if (!aborted.ok()) return aborted.status();
  // 204 when aborted; 404 (NoSuchUpload) when completed or aborted before.
  if (aborted->status != 204 && aborted->status != 200 && aborted->status != 404) {
    return Failed("AbortMultipartUpload " + key, *aborted);
  }
  return Status::Ok();
}

Status S3BlobStore::PutMultipart(const std::string& key, std::string first,
                                 const PartSource& next) {
  auto started = StartParts(key);
  if (!started.ok()) return started.status();
  const std::string& upload_id = *started;
  // Every failure after this point aborts the upload, so its parts do not linger (and cost).
  auto abort = [&](Status failure) {
    if (Status s = AbortParts(key, upload_id); !s.ok()) {
      Log(LogLevel::kWarn,
          "S3 AbortMultipartUpload failed; the bucket's lifecycle rule must remove the parts",
          {{"key", key}, {"upload_id", upload_id}, {"error", s.message()}});
    }
    return failure;
  };
  std::vector<std::pair<int64_t, std::string>> parts;
  std::string chunk = std::move(first);
  for (bool more = true; more;) {
    const auto number = static_cast<int64_t>(parts.size()) + 1;
    auto etag = PutPart(key, upload_id, number, chunk);
    if (!etag.ok()) return abort(etag.status());
    parts.emplace_back(number, std::move(etag).value());
    auto got = next(chunk);
    if (!got.ok()) return abort(got.status());
    more = *got && !chunk.empty();
  }
  if (Status s = CompleteParts(key, upload_id, parts); !s.ok()) return abort(s);
  return Status::Ok();
}

Status S3BlobStore::PutFrom(const std::string& key, std::istream& in) {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  auto read_part = [this, &in](std::string& part) -> Result<bool> {
    part.resize(part_size_);
    in.read(part.data(), static_cast<std::streamsize>(part_size_));
    part.resize(static_cast<size_t>(in.gcount()));
    if (in.bad()) return Status::IoError("the stream being stored failed");
    return !part.empty();
  };
  std::string first;
  auto got = read_part(first);
  if (!got.ok()) return got.status();
  // Up to one part: a plain PUT. More: a multipart upload, one part in memory at a time.
  if (first.size() < part_size_ || in.peek() == std::char_traits<char>::eof()) {
    if (in.bad()) return Status::IoError("the stream being stored failed");
    return Put(key, first);
  }
  return PutMultipart(key, std::move(first), read_part);
}

Status S3BlobStore::GetTo(const std::string& key, std::ostream& out) const {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  auto response = client_.Send("GET", ObjectKey(key), {}, "", {}, &out);
  if (!response.ok()) return response.status();
  if (response->status == 404) return Status::NotFound("no blob '" + key + "'");
  if (response->status != 200) return Failed("GET " + key, *response);
  if (!out) return Status::IoError("the stream reading blob " + key + " failed");
  return Status::Ok();
}

Result<std::string> S3BlobStore::GetRange(const std::string& key, int64_t offset,
                                          int64_t length) const {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  if (offset < 0 || length < 0) return Status::InvalidArgument("a negative range of blob " + key);
  if (length == 0) {  // no Range header can ask for nothing; the blob must still exist
    auto info = Stat(key);
    if (!info.ok()) return info.status();
    return std::string();
  }
  const std::string range =
      "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1);
  auto response = client_.Send("GET", ObjectKey(key), {}, "", {{"Range", range}});
  if (!response.ok()) return response.status();
  if (response->status == 404) return Status::NotFound("no blob '" + key + "'");
  if (response->status == 416) return std::string();  // the range starts past the end
  if (response->status == 206) return std::move(response->body);
  // A server that ignores Range sends the whole object.
  if (response->status == 200) {
    std::string& body = response->body;
    if (offset >= static_cast<int64_t>(body.size())) return std::string();
    return body.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
  }
  return Failed("GET " + key + " " + range, *response);
}

Result<BlobInfo> S3BlobStore::Stat(const std::string& key) const {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  auto response = client_.Send("HEAD", ObjectKey(key), {}, "");
  if (!response.ok()) return response.status();
  if (response->status == 404) return Status::NotFound("no blob '" + key + "'");
  if (response->status != 200) return Failed("HEAD " + key, *response);
  BlobInfo info{key, 0, 0};
  if (auto length = response->headers.find("content-length"); length != response->headers.end()) {
    info.size = std::stoll("0" + length->second);
  }
  if (auto modified = response->headers.find("last-modified");
      modified != response->headers.end()) {
    std::tm tm{};  // RFC 7231: "Mon, 30 Nov 2026 08:00:00 GMT"
    if (strptime(modified->second.c_str(), "%a, %d %b %Y %H:%M:%S", &tm) != nullptr)
      info.modified_unix = timegm(&tm);
  }
  return info;
}

Result<std::vector<BlobInfo>> S3BlobStore::ListPage(const std::string& prefix,
                                                    const std::string& start_after,
                                                    size_t limit) const {
  std::vector<BlobInfo> out;
  const std::string& root = client_.location().prefix;
  std::string after = start_after.empty() ? "" : root + start_after;
  while (out.size() < limit) {
    const size_t want = std::min<size_t>(1000, limit - out.size());
    std::vector<std::pair<std::string, std::string>> query = {
        {"list-type", "2"}, {"prefix", root + prefix}, {"max-keys", std::to_string(want)}};
    if (!after.empty()) query.emplace_back("start-after", after);
    auto response = client_.Send("GET", "", query, "");
    if (!response.ok()) return response.status();
    if (response->status != 200) return Failed("ListObjectsV2 " + prefix, *response);
    pugi::xml_document doc;
    if (!doc.load_buffer(response->body.data(), response->body.size())) {
      return Status::IoError("S3 ListObjectsV2 " + prefix + ": the answer is not XML");
    }
    const pugi::xml_node result = doc.child("ListBucketResult");
    size_t seen = 0;
    for (pugi::xml_node item : result.children("Contents")) {
      const std::string key = item.child_value("Key");
      ++seen;
      after = key;
      if (key.compare(0, root.size(), root) != 0 || out.size() >= limit) continue;
      out.push_back(BlobInfo{key.substr(root.size()),
                             std::stoll(std::string("0") + item.child_value("Size")),
                             ParseIsoTime(item.child_value("LastModified"))});
    }
    if (seen == 0 || std::string(result.child_value("IsTruncated")) != "true") break;
  }
  return out;
}

Result<std::string> S3BlobStore::Get(const std::string& key) const {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  auto response = client_.Send("GET", ObjectKey(key), {}, "");
  if (!response.ok()) return response.status();
  if (response->status == 404) return Status::NotFound("no blob '" + key + "'");
  if (response->status != 200) return Failed("GET " + key, *response);
  return std::move(response->body);
}

Status S3BlobStore::Delete(const std::string& key) {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  auto response = client_.Send("DELETE", ObjectKey(key), {}, "");
  if (!response.ok()) return response.status();
  // 204 on S3 whether or not the object existed; 404 from some compatible servers.
  if (response->status != 204 && response->status != 200 && response->status != 404) {
    return Failed("DELETE " + key, *response);
  }
  return Status::Ok();
}

Result<std::vector<BlobInfo>> S3BlobStore::List(const std::string& prefix) const {
  // Every page: ListPage follows S3's pages (1,000 keys each) until the listing ends.
  return ListPage(prefix, "", std::numeric_limits<size_t>::max());
}

}  // namespace diamond::store
