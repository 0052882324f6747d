// A scratch file: bytes a job stages on local disk while it works (a dataset being read, an
// upload being assembled), with no name once it is open.
//
// The file is created in a directory and unlinked at once, so its bytes live only as long
// as this object's descriptor: the kernel frees them however the process ends — a crash or
// kill -9 included — and a crashed job leaves nothing behind in the temporary directory.
#pragma once

#include <fstream>
#include <string>
#include <string_view>

namespace diamond {

class ScratchFile {
 public:
  // Creates `dir`/<prefix><random> (dir "" = the system's temporary directory), opens it
  // for reading and writing, and removes its name. See opened().
  ScratchFile(const std::string& dir, std::string_view prefix);
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  bool opened() const { return file_.is_open(); }
  // Where the bytes go and come from: write first, then Rewind() and read.
  std::filebuf& buffer() { return file_; }
  // Flushes what was written and goes back to the first byte; false on a write error.
  bool Rewind();
  // The directory it was made in, for error messages (the file itself has no name).
  const std::string& where() const { return where_; }

 private:
  std::filebuf file_;
  std::string where_;
};

}  // namespace diamond
