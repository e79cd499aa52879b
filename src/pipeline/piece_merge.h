#pragma once
// Joins the transcripts of the pieces of one recording: each piece's times are moved to the
// original timeline, and where neighbouring chunks overlap, each segment is kept from one
// chunk only — the one whose edge is farther from it (cut in the middle of the overlap).
#include <vector>

#include "transcript/transcript.h"

namespace tgscribe::pipeline {

struct PieceTranscript {
  double start_s = 0;  // where the piece begins in the original
  double end_s = 0;
  transcript::Transcript transcript;  // times relative to the piece
};

// Pieces in time order. Language: the most common one; duration: the last piece's end.
transcript::Transcript merge_pieces(const std::vector<PieceTranscript>& pieces);

}  // namespace tgscribe::pipeline
