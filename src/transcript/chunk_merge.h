#pragma once
// Long media is cut into overlapping chunks that are transcribed separately (in parallel);
// this puts the pieces back together on the original media's clock.
#include <vector>

#include "transcript/transcript.h"

namespace tgscribe::transcript {

struct Chunk {
  Transcript transcript;  // times relative to the start of the chunk
  double offset = 0;      // where the chunk starts in the original media, seconds
  double duration = 0;    // chunk length in seconds; 0 = transcript.duration
};

// One transcript from chunks given in media order. Times are shifted by each chunk's offset.
// Where chunk k and k+1 overlap, the overlap is split at its midpoint and each side is taken
// from the chunk for which it is not at the edge (words, or segments without words, are
// assigned by their centre); a phrase both chunks still repeat at the seam is kept once.
// Language: the most common among chunks (earliest wins a tie); engine and model: the first
// chunk's; duration: the end of the last chunk.
Transcript merge_chunks(const std::vector<Chunk>& chunks);

}  // namespace tgscribe::transcript
