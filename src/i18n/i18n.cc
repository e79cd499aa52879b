#include "i18n/i18n.h"

#include <spdlog/spdlog.h>

#include <array>
#include <cmath>

#include "common/strings.h"

namespace tgscribe::i18n {
namespace {

struct Entry {
  Msg msg;
  const char* name;
  const char* en;
  const char* id;
};

// Indonesian uses the friendly "kamu" register common in Telegram bots. Placeholders are
// named so each language can put them where its grammar wants them.
constexpr Entry kCatalogue[] = {
    {Msg::kStart, "start",
     "Hi {name}! 👋 Send me a voice note, an audio file or a video and I'll turn the speech "
     "into text.\n\nIn groups, reply /transcribe to a voice message. Send /help for everything "
     "I can do.",
     "Halo {name}! 👋 Kirim pesan suara, file audio, atau video, nanti aku ubah ucapannya jadi "
     "teks.\n\nDi grup, balas pesan suara dengan /transcribe. Ketik /help untuk melihat semua "
     "yang bisa aku lakukan."},
    {Msg::kHelp, "help",
     "I transcribe voice notes, audio, video and video notes.\n\n"
     "/transcribe — reply to a media message to transcribe it (in groups)\n"
     "/lang CODE|auto — set the speech language for this chat (e.g. /lang en)\n"
     "/mode auto|manual — groups: transcribe everything, or only on request (admins)\n"
     "/formats LIST|none — files sent with transcripts here (txt,srt,vtt,json)\n"
     "/timestamps on|off — time marks like [01:05] at paragraph starts\n"
     "/speakers on|off — say who speaks (Speaker 1, Speaker 2, …)\n"
     "/status — your jobs in progress\n"
     "/cancel [ID] — cancel your latest job, or the one with this ID\n"
     "/summary — reply to a transcript or a media message: a short summary\n"
     "/translate [LANG] — reply to a transcript or a media message: its translation (default "
     "en)\n"
     "/usage — your minutes today and this month, and your quota\n"
     "/forget — delete what I have stored about you\n\n"
     "Transcripts come as messages plus files ({formats}). Files up to {max_mb} MB.\n"
     "The buttons under a transcript do the same in one tap.",
     "Aku bisa mentranskrip pesan suara, audio, video, dan video bulat.\n\n"
     "/transcribe — balas pesan media untuk mentranskripnya (di grup)\n"
     "/lang KODE|auto — atur bahasa ucapan untuk chat ini (misalnya /lang id)\n"
     "/mode auto|manual — grup: transkrip semua, atau hanya jika diminta (admin)\n"
     "/formats DAFTAR|none — file yang dikirim dengan transkrip (txt,srt,vtt,json)\n"
     "/timestamps on|off — penanda waktu seperti [01:05] di awal paragraf\n"
     "/speakers on|off — sebut siapa yang bicara (Pembicara 1, Pembicara 2, …)\n"
     "/status — pekerjaanmu yang sedang berjalan\n"
     "/cancel [ID] — batalkan pekerjaan terakhirmu, atau yang ber-ID itu\n"
     "/summary — balas transkrip atau pesan media: ringkasan singkatnya\n"
     "/translate [BAHASA] — balas transkrip atau pesan media: terjemahannya (bawaan en)\n"
     "/usage — menit pemakaianmu hari ini dan bulan ini, dan kuotamu\n"
     "/forget — hapus data tentangmu yang aku simpan\n\n"
     "Transkrip dikirim sebagai pesan dan file ({formats}). Ukuran file maksimal {max_mb} MB.\n"
     "Tombol di bawah transkrip melakukan hal yang sama dengan sekali ketuk."},
    {Msg::kUnknownCommand, "unknown_command",
     "I don't know that command. Send /help to see what I can do.",
     "Aku belum kenal perintah itu. Ketik /help untuk melihat yang bisa aku lakukan."},
    {Msg::kSendMedia, "send_media",
     "Send me a voice note, an audio file or a video, and I'll send back its transcript.",
     "Kirim pesan suara, file audio, atau video, nanti aku kirimkan transkripnya."},
    {Msg::kAccessDenied, "access_denied", "Sorry, this bot is private and not available to you. 🙏",
     "Maaf, bot ini bersifat pribadi dan tidak tersedia untukmu. 🙏"},
    {Msg::kLangCurrent, "lang_current",
     "Speech language for this chat: {language}.\nChange it with /lang CODE (e.g. /lang en, "
     "/lang id) or /lang auto to detect it.",
     "Bahasa ucapan untuk chat ini: {language}.\nUbah dengan /lang KODE (misalnya /lang id, "
     "/lang en) atau /lang auto untuk deteksi otomatis."},
    {Msg::kLangSet, "lang_set", "Done: I'll transcribe this chat as \"{language}\".",
     "Siap: chat ini akan aku transkrip dalam bahasa \"{language}\"."},
    {Msg::kLangSetAuto, "lang_set_auto", "Done: I'll detect the language of each recording.",
     "Siap: aku akan mendeteksi bahasa setiap rekaman secara otomatis."},
    {Msg::kLangInvalid, "lang_invalid",
     "\"{value}\" isn't a language code I know. Use a two-letter code such as en or id, or "
     "auto.",
     "\"{value}\" bukan kode bahasa yang aku kenal. Pakai kode dua huruf seperti id atau en, "
     "atau auto."},
    {Msg::kModeCurrentAuto, "mode_current_auto",
     "Mode: auto — I transcribe every voice note and video in this chat.",
     "Mode: auto — aku mentranskrip setiap pesan suara dan video di chat ini."},
    {Msg::kModeCurrentManual, "mode_current_manual",
     "Mode: manual — reply /transcribe to a media message to get its transcript.",
     "Mode: manual — balas pesan media dengan /transcribe untuk mendapatkan transkripnya."},
    {Msg::kModeSetAuto, "mode_set_auto",
     "Auto mode is on: I'll transcribe every voice note and video in this chat.",
     "Mode auto aktif: aku akan mentranskrip setiap pesan suara dan video di chat ini."},
    {Msg::kModeSetManual, "mode_set_manual",
     "Manual mode is on: reply /transcribe to a media message when you want a transcript.",
     "Mode manual aktif: balas pesan media dengan /transcribe kalau butuh transkripnya."},
    {Msg::kModeUsage, "mode_usage", "Usage: /mode auto or /mode manual.",
     "Cara pakai: /mode auto atau /mode manual."},
    {Msg::kModeGroupsOnly, "mode_groups_only",
     "/mode is for groups. In a private chat I transcribe everything you send.",
     "/mode hanya untuk grup. Di chat pribadi aku mentranskrip semua yang kamu kirim."},
    {Msg::kModeAdminsOnly, "mode_admins_only", "Only admins of this chat can change the mode.",
     "Hanya admin chat ini yang bisa mengubah mode."},
    {Msg::kTranscribeNeedsReply, "transcribe_needs_reply",
     "Reply /transcribe to a voice note, audio or video message, and I'll transcribe it.",
     "Balas pesan suara, audio, atau video dengan /transcribe, nanti aku transkripkan."},
    {Msg::kTranscribeNotMedia, "transcribe_not_media",
     "The message you replied to has no audio or video I can transcribe.",
     "Pesan yang kamu balas tidak berisi audio atau video yang bisa aku transkrip."},
    {Msg::kStatusNone, "status_none", "You have no jobs in progress.",
     "Kamu tidak punya pekerjaan yang sedang berjalan."},
    {Msg::kStatusHeader, "status_header", "Your jobs:", "Pekerjaanmu:"},
    {Msg::kStatusLineQueued, "status_line_queued", "• {id}: queued, position {position}",
     "• {id}: dalam antrean, urutan ke-{position}"},
    {Msg::kStatusLineRunning, "status_line_running", "• {id}: in progress",
     "• {id}: sedang diproses"},
    {Msg::kCancelNone, "cancel_none", "You have no job to cancel.",
     "Tidak ada pekerjaan yang bisa dibatalkan."},
    {Msg::kCancelDone, "cancel_done", "Job {id} cancelled.", "Pekerjaan {id} dibatalkan."},
    {Msg::kCancelRequested, "cancel_requested", "Job {id} is stopping; it will end shortly.",
     "Pekerjaan {id} sedang dihentikan, sebentar lagi selesai."},
    {Msg::kCancelNotFound, "cancel_not_found",
     "I couldn't find an unfinished job \"{id}\" of yours. See /status.",
     "Aku tidak menemukan pekerjaanmu \"{id}\" yang belum selesai. Cek /status."},
    {Msg::kStatsDenied, "stats_denied", "/stats is only for the bot's admins.",
     "/stats hanya untuk admin bot."},
    {Msg::kStats, "stats",
     "📊 Stats\n"
     "Jobs: {queued} queued, {running} running, {delivered} delivered, {failed} failed, "
     "{cancelled} cancelled\n"
     "Retries: {retries}\n"
     "Wait p50/p95: {wait_p50} s / {wait_p95} s\n"
     "Run p50/p95: {run_p50} s / {run_p95} s\n"
     "Cache hit rate: {hit_rate} (files {file_hits}/{file_total}, content "
     "{content_hits}/{content_total})\n"
     "Queue depth: {queued} · workers: {workers}\n"
     "Engines: {engines}\n"
     "Uptime: {uptime}",
     "📊 Statistik\n"
     "Pekerjaan: {queued} antre, {running} berjalan, {delivered} terkirim, {failed} gagal, "
     "{cancelled} dibatalkan\n"
     "Percobaan ulang: {retries}\n"
     "Tunggu p50/p95: {wait_p50} dtk / {wait_p95} dtk\n"
     "Proses p50/p95: {run_p50} dtk / {run_p95} dtk\n"
     "Cache hit: {hit_rate} (file {file_hits}/{file_total}, konten "
     "{content_hits}/{content_total})\n"
     "Panjang antrean: {queued} · worker: {workers}\n"
     "Mesin: {engines}\n"
     "Aktif selama: {uptime}"},
    {Msg::kForgetDone, "forget_done",
     "Done. I deleted your cached transcripts, your finished jobs, your usage figures and the "
     "settings of our private chat.",
     "Beres. Transkrip yang tersimpan, pekerjaan yang sudah selesai, catatan pemakaianmu, dan "
     "pengaturan chat pribadi kita sudah aku hapus."},
    {Msg::kUsage, "usage",
     "📈 Your usage (days in UTC)\n"
     "Today: {today_min} min of audio, {today_requests} requests\n"
     "This month: {month_min} min of audio, {month_requests} requests\n"
     "{quota}",
     "📈 Pemakaianmu (hari menurut UTC)\n"
     "Hari ini: {today_min} menit audio, {today_requests} permintaan\n"
     "Bulan ini: {month_min} menit audio, {month_requests} permintaan\n"
     "{quota}"},
    {Msg::kUsageQuota, "usage_quota",
     "Daily quota: {left_min} of {limit_min} min left. It resets at 00:00 UTC (in {reset_in}).",
     "Kuota harian: sisa {left_min} dari {limit_min} menit. Direset pukul 00:00 UTC ({reset_in} "
     "lagi)."},
    {Msg::kUsageGlobalQuota, "usage_global_quota",
     "For everyone together: {left_min} of {limit_min} min left today (resets at 00:00 UTC, in "
     "{reset_in}).",
     "Untuk semua pengguna: sisa {left_min} dari {limit_min} menit hari ini (direset pukul 00:00 "
     "UTC, {reset_in} lagi)."},
    {Msg::kUsageNoQuota, "usage_no_quota", "There is no daily quota.", "Tidak ada kuota harian."},
    {Msg::kUsageAdminExempt, "usage_admin_exempt", "No quota applies to you (admin).",
     "Kamu admin: tidak ada kuota untukmu."},
    {Msg::kStatsUsage, "stats_usage",
     "💰 Usage (days in UTC)\n"
     "Cost: today ${cost_today} · 7 days ${cost_7d} · 30 days ${cost_30d}\n"
     "Today by engine:\n{engines_today}\n"
     "30 days by engine:\n{engines_30d}\n"
     "Cache savings: today {saved_today} · 30 days {saved_30d} of audio\n"
     "Top users (30 days):\n{top_users}",
     "💰 Pemakaian (hari menurut UTC)\n"
     "Biaya: hari ini ${cost_today} · 7 hari ${cost_7d} · 30 hari ${cost_30d}\n"
     "Hari ini per mesin:\n{engines_today}\n"
     "30 hari per mesin:\n{engines_30d}\n"
     "Hemat berkat cache: hari ini {saved_today} · 30 hari {saved_30d} audio\n"
     "Pengguna teratas (30 hari):\n{top_users}"},
    {Msg::kStatsUsageEngine, "stats_usage_engine",
     "{engine}: {requests} requests, {audio} audio, {billed} billed, {mb} MB, ${cost}",
     "{engine}: {requests} permintaan, {audio} audio, {billed} ditagih, {mb} MB, ${cost}"},
    {Msg::kStatsUsageUser, "stats_usage_user",
     "{rank}. {user}: {audio} audio, {requests} requests, ${cost}",
     "{rank}. {user}: {audio} audio, {requests} permintaan, ${cost}"},
    {Msg::kStatsUsageNone, "stats_usage_none", "none yet", "belum ada"},
    {Msg::kChoicesAdminsOnly, "choices_admins_only",
     "Only admins of this chat can change this setting.",
     "Hanya admin chat ini yang bisa mengubah pengaturan ini."},
    {Msg::kFormatsCurrent, "formats_current",
     "Files sent with each transcript in this chat: {formats}.\nChange with /formats and a "
     "comma list of txt, srt, vtt, json (e.g. /formats txt,srt), /formats none for the "
     "message only, or /formats default for the bot's setting.",
     "File yang dikirim dengan setiap transkrip di chat ini: {formats}.\nUbah dengan /formats "
     "dan daftar dengan koma dari txt, srt, vtt, json (misalnya /formats txt,srt), /formats "
     "none untuk pesan saja, atau /formats default untuk pengaturan bawaan bot."},
    {Msg::kFormatsNone, "formats_none", "none, the message only", "tidak ada, hanya pesan"},
    {Msg::kFormatsDefaultNote, "formats_default_note", "{formats} (the bot's default)",
     "{formats} (bawaan bot)"},
    {Msg::kFormatsSet, "formats_set", "Done: transcripts in this chat now come with {formats}.",
     "Beres: transkrip di chat ini sekarang dikirim dengan {formats}."},
    {Msg::kFormatsSetNone, "formats_set_none",
     "Done: transcripts in this chat now come as messages only, without files.",
     "Beres: transkrip di chat ini sekarang hanya dikirim sebagai pesan, tanpa file."},
    {Msg::kFormatsSetDefault, "formats_set_default",
     "Done: this chat follows the bot's setting again ({formats}).",
     "Beres: chat ini kembali mengikuti pengaturan bawaan bot ({formats})."},
    {Msg::kFormatsInvalid, "formats_invalid",
     "I don't know the file format \"{value}\". Use a comma list of txt, srt, vtt and json "
     "(e.g. /formats txt,srt), or /formats none for the message only.",
     "Aku tidak kenal format file \"{value}\". Pakai daftar dengan koma dari txt, srt, vtt, "
     "dan json (misalnya /formats txt,srt), atau /formats none untuk pesan saja."},
    {Msg::kTimestampsCurrentOn, "timestamps_current_on",
     "Time marks in this chat's transcripts: on. Turn them off with /timestamps off.",
     "Penanda waktu di transkrip chat ini: aktif. Matikan dengan /timestamps off."},
    {Msg::kTimestampsCurrentOff, "timestamps_current_off",
     "Time marks in this chat's transcripts: off. Turn them on with /timestamps on: each "
     "paragraph then starts with its time, like [01:05].",
     "Penanda waktu di transkrip chat ini: nonaktif. Aktifkan dengan /timestamps on: setiap "
     "paragraf akan diawali waktunya, seperti [01:05]."},
    {Msg::kTimestampsSetOn, "timestamps_set_on",
     "Done: each paragraph of this chat's transcripts now starts with its time, like [01:05].",
     "Beres: setiap paragraf transkrip di chat ini sekarang diawali waktunya, seperti [01:05]."},
    {Msg::kTimestampsSetOff, "timestamps_set_off",
     "Done: no more time marks in this chat's transcripts.",
     "Beres: transkrip di chat ini tidak lagi memakai penanda waktu."},
    {Msg::kTimestampsUsage, "timestamps_usage", "Usage: /timestamps on or /timestamps off.",
     "Cara pakai: /timestamps on atau /timestamps off."},
    {Msg::kSpeakersCurrentOn, "speakers_current_on",
     "Speaker labels in this chat's transcripts: on. Turn them off with /speakers off.",
     "Label pembicara di transkrip chat ini: aktif. Matikan dengan /speakers off."},
    {Msg::kSpeakersCurrentOff, "speakers_current_off",
     "Speaker labels in this chat's transcripts: off. Turn them on with /speakers on.",
     "Label pembicara di transkrip chat ini: nonaktif. Aktifkan dengan /speakers on."},
    {Msg::kSpeakersSetOn, "speakers_set_on",
     "Done: this chat's transcripts now say who speaks (Speaker 1, Speaker 2, …) at each "
     "change of speaker.",
     "Beres: transkrip di chat ini sekarang menyebut siapa yang bicara (Pembicara 1, "
     "Pembicara 2, …) setiap kali pembicaranya berganti."},
    {Msg::kSpeakersSetOnFallback, "speakers_set_on_fallback",
     "Done, speaker labels are on. But only Deepgram tells speakers apart, and this bot uses "
     "it only when {engines} fails, so most transcripts will have no labels.",
     "Beres, label pembicara aktif. Tapi hanya Deepgram yang bisa membedakan pembicara, dan "
     "bot ini memakainya hanya jika {engines} gagal, jadi kebanyakan transkrip tidak akan "
     "punya label."},
    {Msg::kSpeakersSetOff, "speakers_set_off",
     "Done: no more speaker labels in this chat's transcripts.",
     "Beres: transkrip di chat ini tidak lagi memakai label pembicara."},
    {Msg::kSpeakersUnsupported, "speakers_unsupported",
     "I can't tell speakers apart here: this bot transcribes with {engines}, and only Deepgram "
     "can name speakers. Nothing was changed; the bot's operator can add Deepgram.",
     "Aku tidak bisa membedakan pembicara di sini: bot ini mentranskrip dengan {engines}, dan "
     "hanya Deepgram yang bisa menyebut pembicara. Tidak ada yang diubah; pengelola bot bisa "
     "menambahkan Deepgram."},
    {Msg::kSpeakersUsage, "speakers_usage", "Usage: /speakers on or /speakers off.",
     "Cara pakai: /speakers on atau /speakers off."},
    {Msg::kFileTooLarge, "file_too_large",
     "This file is {size_mb} MB, but I accept files up to {max_mb} MB. Please send a smaller "
     "one.",
     "File ini berukuran {size_mb} MB, sedangkan batasnya {max_mb} MB. Coba kirim file yang "
     "lebih kecil, ya."},
    {Msg::kFileTooLargeCloud, "file_too_large_cloud",
     "This file is {size_mb} MB. Telegram lets bots download only files up to {limit_mb} MB, "
     "so I can't fetch it.\n\nYou can send a shorter or compressed version. The bot's operator "
     "can lift the limit to 2000 MB by running a local Bot API server (telegram-bot-api "
     "--local) with TELEGRAM_API_URL pointing at it and TELEGRAM_LOCAL_MODE=true.",
     "File ini berukuran {size_mb} MB. Telegram hanya mengizinkan bot mengunduh file sampai "
     "{limit_mb} MB, jadi aku tidak bisa mengambilnya.\n\nKamu bisa kirim versi yang lebih "
     "pendek atau sudah dikompres. Pengelola bot bisa menaikkan batasnya sampai 2000 MB dengan "
     "menjalankan server Bot API lokal (telegram-bot-api --local), lalu mengarahkan "
     "TELEGRAM_API_URL ke server itu dan mengatur TELEGRAM_LOCAL_MODE=true."},
    {Msg::kMediaTooLong, "media_too_long",
     "This recording is {duration} long; I can transcribe up to {max_duration}.",
     "Rekaman ini berdurasi {duration}; aku hanya bisa mentranskrip sampai {max_duration}."},
    {Msg::kUserLimit, "user_limit",
     "You already have {count} jobs running (the limit is {limit}). Please wait until one "
     "finishes, then send this again. See /status.",
     "Kamu sudah punya {count} pekerjaan yang berjalan (batasnya {limit}). Tunggu salah satunya "
     "selesai, lalu kirim lagi, ya. Cek /status."},
    {Msg::kServiceBusy, "service_busy",
     "Sorry, I can't take new work right now. Please try again in a minute.",
     "Maaf, aku belum bisa menerima pekerjaan baru. Coba lagi sebentar lagi, ya."},
    {Msg::kBacklogSkipped, "backlog_skipped",
     "Sorry, I was offline when you sent this, so I didn't transcribe it. Send it again if you "
     "still need the transcript.",
     "Maaf, aku sedang offline waktu kamu mengirim ini, jadi belum aku transkrip. Kirim ulang "
     "kalau kamu masih butuh transkripnya, ya."},
    {Msg::kQuotaUser, "quota_user",
     "You have used {used_min} of your {limit_min} minutes for today, and this one is {duration} "
     "long, so I can't take it now. Your quota resets at 00:00 UTC, in {reset_in}. See /usage.",
     "Kamu sudah memakai {used_min} dari {limit_min} menit kuotamu hari ini, dan media ini "
     "berdurasi {duration}, jadi belum bisa aku proses. Kuotamu direset pukul 00:00 UTC, "
     "{reset_in} lagi. Cek /usage."},
    {Msg::kQuotaGlobal, "quota_global",
     "This bot has used {used_min} of its {limit_min} minutes for everyone today, and this one "
     "is {duration} long, so I can't take it now. The quota resets at 00:00 UTC, in {reset_in}.",
     "Bot ini sudah memakai {used_min} dari {limit_min} menit kuota harian untuk semua pengguna, "
     "dan media ini berdurasi {duration}, jadi belum bisa aku proses. Kuota direset pukul 00:00 "
     "UTC, {reset_in} lagi."},
    {Msg::kStatusQueued, "status_queued",
     "⏳ Job {id}: queued, position {position} ({busy} of {workers} workers busy).",
     "⏳ Pekerjaan {id}: dalam antrean, urutan ke-{position} ({busy} dari {workers} worker "
     "sibuk)."},
    {Msg::kStatusDownloading, "status_downloading", "⬇️ Job {id}: downloading…",
     "⬇️ Pekerjaan {id}: mengunduh…"},
    {Msg::kStatusConverting, "status_converting", "🔄 Job {id}: converting the audio…",
     "🔄 Pekerjaan {id}: mengonversi audio…"},
    {Msg::kStatusTranscribing, "status_transcribing", "📝 Job {id}: transcribing…",
     "📝 Pekerjaan {id}: mentranskrip…"},
    {Msg::kStatusTranscribingPercent, "status_transcribing_percent",
     "📝 Job {id}: transcribing… {percent}%", "📝 Pekerjaan {id}: mentranskrip… {percent}%"},
    {Msg::kStatusSending, "status_sending", "📤 Job {id}: sending the transcript…",
     "📤 Pekerjaan {id}: mengirim transkrip…"},
    {Msg::kStatusDone, "status_done", "✅ Job {id}: done.", "✅ Pekerjaan {id}: selesai."},
    {Msg::kStatusRetrying, "status_retrying",
     "⏳ Job {id}: a temporary problem; I'll try again shortly (attempt {attempt} of {max}).",
     "⏳ Pekerjaan {id}: ada gangguan sementara, sebentar lagi aku coba lagi (percobaan "
     "{attempt} dari {max})."},
    {Msg::kStatusFailed, "status_failed", "❌ Job {id}: failed.", "❌ Pekerjaan {id}: gagal."},
    {Msg::kStatusCancelled, "status_cancelled", "🚫 Job {id}: cancelled.",
     "🚫 Pekerjaan {id}: dibatalkan."},
    {Msg::kStatusPaced, "status_paced",
     "⏸ Job {id}: the engine's rate budget is spent for now; waiting in the queue, starting "
     "again in about {wait}.",
     "⏸ Pekerjaan {id}: jatah layanan transkripsi sedang habis; menunggu di antrean, mulai lagi "
     "dalam sekitar {wait}."},
    {Msg::kStatusEta, "status_eta", "🕒 Ready in about {eta}.", "🕒 Siap dalam sekitar {eta}."},
    {Msg::kFooter, "footer", "⏱ {duration} · 🌐 {language} · ⚙️ {engine}",
     "⏱ {duration} · 🌐 {language} · ⚙️ {engine}"},
    {Msg::kFromUser, "from_user", "🎙 {name}'s message:", "🎙 Pesan dari {name}:"},
    {Msg::kNoSpeech, "no_speech", "I couldn't find any speech in this recording.",
     "Aku tidak menemukan ucapan apa pun di rekaman ini."},
    {Msg::kPreviewIntro, "preview_intro",
     "The transcript is long ({chars} characters), so here is the beginning; the full text is "
     "in the attached file.",
     "Transkripnya panjang ({chars} karakter), jadi ini bagian awalnya saja; teks lengkapnya "
     "ada di file terlampir."},
    {Msg::kLanguageUnknown, "language_unknown", "unknown", "tidak diketahui"},
    {Msg::kSpeakerLabel, "speaker_label", "Speaker", "Pembicara"},
    {Msg::kRejectEmpty, "reject_empty", "The file is empty, so there is nothing to transcribe.",
     "File-nya kosong, jadi tidak ada yang bisa ditranskrip."},
    {Msg::kRejectNotMedia, "reject_not_media", "This doesn't look like an audio or video file.",
     "Sepertinya ini bukan file audio atau video."},
    {Msg::kRejectNoAudio, "reject_no_audio", "This file has no sound track to transcribe.",
     "File ini tidak punya trek suara untuk ditranskrip."},
    {Msg::kRejectCorrupt, "reject_corrupt",
     "The file seems to be damaged; I couldn't read it. Please send it again.",
     "File-nya sepertinya rusak, aku tidak bisa membacanya. Coba kirim ulang, ya."},
    {Msg::kRejectTooLong, "reject_too_long",
     "This recording is too long; I can transcribe up to {max_duration}.",
     "Rekaman ini terlalu panjang; aku hanya bisa mentranskrip sampai {max_duration}."},
    {Msg::kRejectTooLarge, "reject_too_large",
     "This file is too large; I accept files up to {max_mb} MB.",
     "File ini terlalu besar; batasnya {max_mb} MB."},
    {Msg::kRejectBlocked, "reject_blocked", "I can't open this kind of file, for safety reasons.",
     "Demi keamanan, aku tidak bisa membuka jenis file ini."},
    {Msg::kRejectUnsupported, "reject_unsupported",
     "Sorry, I can't decode this audio format. Try sending it as a voice note or MP3.",
     "Maaf, format audio ini belum bisa aku baca. Coba kirim sebagai pesan suara atau MP3."},
    {Msg::kFailDownload, "fail_download",
     "Sorry, I couldn't download the file from Telegram. Please send it again.",
     "Maaf, aku gagal mengunduh file dari Telegram. Coba kirim ulang, ya."},
    {Msg::kFailFileTooBigCloud, "fail_file_too_big_cloud",
     "Telegram refused to give me this file because it is bigger than {limit_mb} MB. Please "
     "send a shorter or compressed version. (The bot's operator can lift this limit with a "
     "local Bot API server.)",
     "Telegram menolak memberikan file ini karena ukurannya lebih dari {limit_mb} MB. Coba "
     "kirim versi yang lebih pendek atau sudah dikompres. (Pengelola bot bisa menaikkan batas "
     "ini dengan server Bot API lokal.)"},
    {Msg::kFailEngine, "fail_engine",
     "Sorry, I couldn't transcribe this recording: the transcription service kept failing. "
     "Please try again later.",
     "Maaf, rekaman ini gagal ditranskrip karena layanan transkripsi terus bermasalah. Coba "
     "lagi nanti, ya."},
    {Msg::kFailInternal, "fail_internal",
     "Sorry, something went wrong on my side while handling this recording.",
     "Maaf, ada masalah di pihakku saat memproses rekaman ini."},
    {Msg::kFailPoison, "fail_poison",
     "Sorry, this recording stopped the bot {attempts} times while being processed, so it will "
     "not be tried again. Converting it to another format may help.",
     "Maaf, rekaman ini membuat bot berhenti {attempts} kali saat diproses, jadi tidak akan "
     "dicoba lagi. Mengubahnya ke format lain mungkin membantu."},
    {Msg::kCmdStart, "cmd_start", "Start and a short introduction", "Mulai dan perkenalan singkat"},
    {Msg::kCmdHelp, "cmd_help", "What I can do", "Hal yang bisa aku lakukan"},
    {Msg::kCmdLang, "cmd_lang", "Speech language of this chat (CODE or auto)",
     "Bahasa ucapan chat ini (KODE atau auto)"},
    {Msg::kCmdMode, "cmd_mode", "Groups: auto or manual transcription (admins)",
     "Grup: transkripsi auto atau manual (admin)"},
    {Msg::kCmdFormats, "cmd_formats", "Files sent with transcripts here (txt,srt,vtt,json|none)",
     "File yang dikirim dengan transkrip (txt,srt,vtt,json|none)"},
    {Msg::kCmdTimestamps, "cmd_timestamps", "Time marks in transcripts (on|off)",
     "Penanda waktu di transkrip (on|off)"},
    {Msg::kCmdSpeakers, "cmd_speakers", "Who speaks, in transcripts (on|off)",
     "Siapa yang bicara, di transkrip (on|off)"},
    {Msg::kCmdTranscribe, "cmd_transcribe", "Reply to a voice or video message to transcribe it",
     "Balas pesan suara atau video untuk mentranskripnya"},
    {Msg::kCmdStatus, "cmd_status", "Your jobs in progress", "Pekerjaanmu yang sedang berjalan"},
    {Msg::kCmdCancel, "cmd_cancel", "Cancel your latest job (or one by ID)",
     "Batalkan pekerjaan terakhir (atau berdasarkan ID)"},
    {Msg::kCmdStats, "cmd_stats", "Bot statistics (admins)", "Statistik bot (admin)"},
    {Msg::kCmdForget, "cmd_forget", "Delete what is stored about you",
     "Hapus data tentangmu yang tersimpan"},
    {Msg::kCmdUsage, "cmd_usage", "Your usage today and this month, your quota",
     "Pemakaianmu hari ini dan bulan ini, kuotamu"},
    // Actions under a transcript (issue 16)
    {Msg::kActionButtonSummary, "action_button_summary", "📝 Summary", "📝 Ringkasan"},
    {Msg::kActionButtonTranslate, "action_button_translate", "🌐 {language}", "🌐 Bahasa {language}"},
    {Msg::kActionButtonSubtitles, "action_button_subtitles", "🎬 Subtitles", "🎬 Subtitle"},
    {Msg::kActionNameSummary, "action_name_summary", "Summary", "Ringkasan"},
    {Msg::kActionNameTranslate, "action_name_translate", "Translation ({language})",
     "Terjemahan ({language})"},
    {Msg::kActionNameSubtitles, "action_name_subtitles", "Subtitles", "Subtitle"},
    {Msg::kActionStatus, "action_status", "⏳ {action} on its way… (job {id})",
     "⏳ {action} sedang dibuat… (pekerjaan {id})"},
    {Msg::kActionAccepted, "action_accepted", "⏳ {action}: on its way.",
     "⏳ {action}: sedang dibuat."},
    {Msg::kActionRunning, "action_running", "⏳ {action} is already on its way.",
     "⏳ {action} sudah sedang dibuat."},
    {Msg::kActionAlreadySent, "action_already_sent", "✅ {action} was already sent above.",
     "✅ {action} sudah dikirim di atas."},
    {Msg::kActionAlreadyFailed, "action_already_failed",
     "❌ {action} failed earlier; the message above says why.",
     "❌ {action} gagal sebelumnya; pesan di atas menjelaskan alasannya."},
    {Msg::kActionGone, "action_gone",
     "This transcript is no longer stored. Send the recording again to use this button.",
     "Transkrip ini sudah tidak tersimpan. Kirim rekamannya lagi untuk memakai tombol ini."},
    {Msg::kActionUnavailable, "action_unavailable",
     "{action} is not available on this bot (no text model or translation engine is "
     "configured).",
     "{action} tidak tersedia di bot ini (tidak ada model teks atau mesin terjemahan yang "
     "diatur)."},
    {Msg::kActionLimit, "action_limit",
     "You already have {count} jobs in progress (limit {limit}). Try again when one is done.",
     "Kamu sudah punya {count} pekerjaan berjalan (batas {limit}). Coba lagi setelah salah satunya "
     "selesai."},
    {Msg::kActionNeedsReply, "action_needs_reply",
     "Reply with /{command} to a transcript (its last message, with the buttons) or to a voice, "
     "audio or video message.\n\nExamples: /summary, /translate, /translate de",
     "Balas dengan /{command} ke sebuah transkrip (pesan terakhirnya, yang ada tombolnya) atau ke "
     "pesan suara, audio, atau video.\n\nContoh: /summary, /translate, /translate de"},
    {Msg::kActionNotTranscript, "action_not_transcript",
     "That message is neither a transcript's last message (with the buttons) nor a media "
     "message.",
     "Pesan itu bukan pesan terakhir sebuah transkrip (yang ada tombolnya) dan bukan pesan media."},
    {Msg::kTranslateInvalid, "translate_invalid",
     "\"{value}\" is not a language code. Use two letters, e.g. /translate en or /translate de.",
     "\"{value}\" bukan kode bahasa. Pakai dua huruf, misalnya /translate en atau /translate id."},
    {Msg::kSummaryHeader, "summary_header", "📝 Summary:", "📝 Ringkasan:"},
    {Msg::kFailTextModel, "fail_text_model",
     "Sorry, the text model could not finish this. Try again later.",
     "Maaf, model teks tidak bisa menyelesaikan ini. Coba lagi nanti."},
    {Msg::kCmdSummary, "cmd_summary", "Summary of a transcript (reply to it or to media)",
     "Ringkasan transkrip (balas transkrip atau media)"},
    {Msg::kCmdTranslate, "cmd_translate", "Translate a transcript: /translate [LANG], as a reply",
     "Terjemahkan transkrip: /translate [BAHASA], sebagai balasan"},
};

static_assert(std::size(kCatalogue) == static_cast<size_t>(Msg::kCount),
              "every Msg needs a catalogue entry");

constexpr bool catalogue_in_order() {
  for (size_t i = 0; i < std::size(kCatalogue); ++i) {
    if (static_cast<size_t>(kCatalogue[i].msg) != i) return false;
  }
  return true;
}
static_assert(catalogue_in_order(), "catalogue entries must follow the Msg enum order");

const Entry& entry(Msg msg) {
  auto i = static_cast<size_t>(msg);
  if (i >= std::size(kCatalogue)) i = static_cast<size_t>(Msg::kFailInternal);
  return kCatalogue[i];
}

}  // namespace

Lang lang_for(std::string_view language_code) {
  return starts_with_icase(language_code, "id") ? Lang::kId : Lang::kEn;
}

const char* lang_code(Lang lang) { return lang == Lang::kId ? "id" : "en"; }

std::string_view templ(Lang lang, Msg msg) {
  const Entry& e = entry(msg);
  return lang == Lang::kId ? e.id : e.en;
}

std::vector<Msg> all_messages() {
  std::vector<Msg> out;
  for (const auto& e : kCatalogue) out.push_back(e.msg);
  return out;
}

const char* msg_name(Msg msg) { return entry(msg).name; }

std::string format_message(Lang lang, Msg msg, fmt::format_args args) {
  std::string_view t = templ(lang, msg);
  try {
    return fmt::vformat(t, args);
  } catch (const std::exception& e) {
    spdlog::error("i18n: message {} ({}) failed to format: {}", msg_name(msg), lang_code(lang),
                  e.what());
    return std::string(t);
  }
}

std::string format_duration(double seconds) {
  if (!(seconds > 0)) seconds = 0;
  auto total = static_cast<int64_t>(std::llround(seconds));
  int64_t h = total / 3600, m = (total / 60) % 60, s = total % 60;
  if (h > 0) return fmt::format("{}:{:02}:{:02}", h, m, s);
  return fmt::format("{}:{:02}", m, s);
}

std::string format_mb(double bytes) {
  double mb = bytes / 1e6;
  double rounded = std::round(mb * 10) / 10;
  if (rounded == std::floor(rounded)) return fmt::format("{}", static_cast<int64_t>(rounded));
  return fmt::format("{:.1f}", rounded);
}

}  // namespace tgscribe::i18n
