"""The web UI's wording in English, Traditional and Simplified Chinese, and which one a
browser asks for.

Kept in one table so the three versions stay side by side and in step.
"""

from __future__ import annotations

from baybot.text.i18n import Translations, translate
from baybot.text.language import LANGUAGES
from baybot.timing import Step

UI_LANGUAGES = LANGUAGES
LANGUAGE_NAMES = {"en": "English", "zh-Hant": "繁體中文", "zh-Hans": "简体中文"}

_TEXT: Translations = {
    "tagline": (
        "Answers about Greater Bay Area talent schemes, each one cited from the official "
        "announcements.",
        "大灣區人才政策問答，每個答案都引用官方公告。",
        "大湾区人才政策问答，每个答案都引用官方公告。",
    ),
    "tab_chat": ("Ask", "提問", "提问"),
    "tab_staff": ("Staff", "職員", "职员"),
    "language": ("Language", "語言", "语言"),
    "question": ("Your question", "你的問題", "你的问题"),
    "placeholder": (
        "e.g. Do I need a job offer to apply for the Top Talent Pass?",
        "例如：申請高才通需要先有工作嗎？",
        "例如：申请高才通需要先有工作吗？",
    ),
    "send": ("Ask", "發問", "发问"),
    "new_chat": ("New conversation", "新對話", "新对话"),
    "examples": ("Try asking", "試試問", "试试问"),
    "chat": ("Conversation", "對話", "对话"),
    "chat_empty": (
        "Ask about talent schemes in Hong Kong, Macao and the nine Guangdong cities. "
        "Follow-up questions use the conversation.",
        "查詢香港、澳門及廣東九市的人才計劃。追問會沿用之前的對話。",
        "查询香港、澳门及广东九市的人才计划。追问会沿用之前的对话。",
    ),
    "sources": ("Sources", "資料來源", "资料来源"),
    "sources_empty": (
        "The passages an answer cites appear here, with the quoted sentences highlighted.",
        "答案引用的段落會在這裏顯示，並標示所引用的句子。",
        "答案引用的段落会在这里显示，并标示所引用的句子。",
    ),
    "refused": ("No source covers this", "沒有資料涵蓋這個問題", "没有资料涵盖这个问题"),
    "nearest": ("Closest topics covered:", "資料涵蓋的相近主題：", "资料涵盖的相近主题："),
    "published": ("Published", "發布", "发布"),
    "full_passage": ("Full passage", "完整段落", "完整段落"),
    "undated": ("Undated", "未註明日期", "未注明日期"),
    "stale": ("May be out of date", "資料可能已過時", "资料可能已过时"),
    "open_source": ("Open the announcement", "打開公告", "打开公告"),
    "unsupported": (
        "This answer cites no source: do not rely on it.",
        "這個答案沒有引用任何資料，請勿依賴。",
        "这个答案没有引用任何资料，请勿依赖。",
    ),
    "fallback": (
        "The language model did not answer, so this answer quotes the sources directly.",
        "語言模型未能回應，這個答案直接引用資料。",
        "语言模型未能响应，这个答案直接引用资料。",
    ),
    "loading": (
        "The sources are still loading; please ask again in a moment.",
        "資料仍在載入中，請稍後再問。",
        "资料仍在加载中，请稍后再问。",
    ),
    "failed": (
        "Sorry, that did not work: {reason}",
        "抱歉，出錯了：{reason}",
        "抱歉，出错了：{reason}",
    ),
    "status_ready": (
        "{documents} announcements · {passages} passages",
        "{documents} 份公告 · {passages} 個段落",
        "{documents} 份公告 · {passages} 个段落",
    ),
    "index_version": ("index {version}", "索引 {version}", "索引 {version}"),
    "status_loading": ("Loading the index…", "正在載入索引…", "正在加载索引…"),
    "status_progress": (
        "Preparing the sources: {step}, {percent}% done",
        "正在準備資料：{step}，已完成 {percent}%",
        "正在准备资料：{step}，已完成 {percent}%",
    ),
    "eta": ("about {seconds} s left", "約剩 {seconds} 秒", "约剩 {seconds} 秒"),
    "status_step": (
        "Preparing the sources: {step}…",
        "正在準備資料：{step}…",
        "正在准备资料：{step}…",
    ),
    # The loading steps (baybot.timing.Step), keyed step_<member name in lower case>.
    "step_starting": ("starting", "啟動中", "启动中"),
    "step_models": ("loading the models", "載入模型", "加载模型"),
    "step_reading": ("reading the documents", "讀取文件", "读取文件"),
    "step_chunking": ("splitting the documents into passages", "將文件分成段落", "将文件分成段落"),
    "step_passages": ("embedding the passages", "計算段落向量", "计算段落向量"),
    "step_writing": ("writing the index", "寫入索引", "写入索引"),
    "step_switching": ("loading the new index version", "載入新版索引", "加载新版索引"),
    "step_opening": ("opening the index", "開啟索引", "打开索引"),
    "step_sentences": ("embedding the sentences", "計算句子向量", "计算句子向量"),
    "inspector": ("Retrieval inspector", "檢索檢查", "检索检查"),
    "k": ("Passages (k)", "段落數 (k)", "段落数 (k)"),
    "region": ("Region", "地區", "地区"),
    "scheme": ("Scheme", "計劃", "计划"),
    "doc_language": ("Source language", "資料語言", "资料语言"),
    "since": ("Since (YYYY-MM-DD)", "起始日期 (YYYY-MM-DD)", "起始日期 (YYYY-MM-DD)"),
    "generator": ("Generator", "生成器", "生成器"),
    "run": ("Run", "執行", "执行"),
    "answer": ("Answer", "答案", "答案"),
    "hits": ("Hits", "檢索結果", "检索结果"),
    "filters_applied": ("Filters applied", "已套用的篩選", "已应用的筛选"),
    "no_filters": ("none", "無", "无"),
    "rate_up": ("Good answer", "好答案", "好答案"),
    "rate_down": ("Bad answer", "差答案", "差答案"),
    "comment": ("Comment (optional)", "意見（可選）", "意见（可选）"),
    "rated": ("Feedback #{id} saved.", "已儲存第 {id} 則意見。", "已保存第 {id} 条意见。"),
    "nothing_to_rate": ("Run a question first.", "請先執行一個問題。", "请先执行一个问题。"),
    "batch": ("Batch test", "批量測試", "批量测试"),
    "batch_file": (
        "Questions (.csv with a question column, or .jsonl)",
        "問題檔（含 question 欄的 .csv，或 .jsonl）",
        "问题文件（含 question 列的 .csv，或 .jsonl）",
    ),
    "batch_run": ("Answer all", "全部回答", "全部回答"),
    "batch_result": ("Answers", "答案", "答案"),
    "download": ("Download CSV", "下載 CSV", "下载 CSV"),
    "feedback": ("Feedback", "意見", "意见"),
    "export": ("Export feedback (CSV)", "匯出意見 (CSV)", "导出意见 (CSV)"),
    "sign_out": ("Sign out", "登出", "登出"),
    "rating": ("Rating", "評分", "评分"),
    "source": ("From", "來源", "来源"),
    "contains": ("Contains", "包含", "包含"),
    "show": ("Show", "顯示", "显示"),
    "public_rated": (
        "Thank you: your rating is saved. You may add a comment.",
        "謝謝，已儲存你的評分。你可以補充意見。",
        "谢谢，已保存你的评分。你可以补充意见。",
    ),
    "public_comment": (
        "Comment on this answer (optional)",
        "對答案的意見（可選）",
        "对答案的意见（可选）",
    ),
    "send_comment": ("Send comment", "送出意見", "提交意见"),
    "comment_saved": ("Comment saved. Thank you.", "已儲存意見，謝謝。", "已保存意见，谢谢。"),
    "too_long": (
        "Please shorten your question to {limit} characters or fewer.",
        "請把問題縮短至 {limit} 個字元以內。",
        "请把问题缩短至 {limit} 个字符以内。",
    ),
    "rate_limited": (
        "Too many requests: please try again in {seconds} seconds.",
        "請求太多，請 {seconds} 秒後再試。",
        "请求太多，请 {seconds} 秒后再试。",
    ),
    "no_file": ("Upload a file first.", "請先上載檔案。", "请先上传文件。"),
    "tab_sources": ("Sources", "資料來源", "资料来源"),
    "sort": ("Date order", "日期排序", "日期排序"),
    "newest_first": ("Newest first", "最新在前", "最新在前"),
    "oldest_first": ("Oldest first", "最舊在前", "最旧在前"),
    "documents_shown": (
        "{shown} of {total} documents",
        "{total} 份文件中的 {shown} 份",
        "{total} 份文件中的 {shown} 份",
    ),
    "col_id": ("id", "編號", "编号"),
    "col_title": ("title", "標題", "标题"),
    "col_date": ("date", "日期", "日期"),
    "col_region": ("region", "地區", "地区"),
    "col_schemes": ("schemes", "計劃", "计划"),
    "col_language": ("language", "語言", "语言"),
    "col_source": ("source", "來源", "来源"),
    "col_chunks": ("passages", "段落", "段落"),
    "document": ("Document", "文件", "文件"),
    "remove": ("Remove from the index", "從索引移除", "从索引移除"),
    "edit_metadata": ("Edit metadata", "編輯資料", "编辑资料"),
    "metadata": (
        "Sidecar metadata (NAME.meta.yaml)",
        "附加資料檔 (NAME.meta.yaml)",
        "附加资料文件 (NAME.meta.yaml)",
    ),
    "save_metadata": ("Save and re-index", "儲存並重新索引", "保存并重新索引"),
    "add_sources": ("Add sources", "加入資料", "加入资料"),
    "upload": ("Files", "檔案", "文件"),
    "urls": ("URLs, one a line", "網址（每行一個）", "网址（每行一个）"),
    "add_scheme": ("Schemes (comma-separated)", "計劃（以逗號分隔）", "计划（以逗号分隔）"),
    "add_run": ("Add and index", "加入並索引", "加入并索引"),
    "reindex": ("Re-index the corpus folder", "重新索引資料夾", "重新索引资料夹"),
    "job_idle": ("No change running.", "沒有進行中的更新。", "没有进行中的更新。"),
    "job_running": (
        "{step}, {percent}% done",
        "{step}，已完成 {percent}%",
        "{step}，已完成 {percent}%",
    ),
    "job_done": ("done in {seconds} s.", "已完成（{seconds} 秒）。", "已完成（{seconds} 秒）。"),
    "job_failed": ("failed after {seconds} s:", "{seconds} 秒後失敗：", "{seconds} 秒后失败："),
    "job_summary": (
        "{added} added, {updated} updated, {removed} removed; {documents} documents, "
        "{passages} passages.",
        "新增 {added}、更新 {updated}、移除 {removed}；共 {documents} 份文件、{passages} 個段落。",
        "新增 {added}、更新 {updated}、移除 {removed}；共 {documents} 份文件、{passages} 个段落。",
    ),
    "job_skipped": ("Skipped: {files}.", "已略過：{files}。", "已跳过：{files}。"),
    "pick_document": ("Choose a document first.", "請先選擇文件。", "请先选择文件。"),
    "nothing_to_add": (
        "Upload a file or give a URL first.",
        "請先上載檔案或輸入網址。",
        "请先上传文件或输入网址。",
    ),
    "read_only_sources": (
        "This server is a read-only replica: change the corpus where the index is built "
        "(`baybot add`, then `baybot ingest`).",
        "此伺服器為唯讀副本：請在建立索引的地方更改資料（`baybot add`，然後 `baybot ingest`）。",
        "此服务器为只读副本：请在建立索引的地方更改资料（`baybot add`，然后 `baybot ingest`）。",
    ),
}


def t(key: str, language: str, **values: object) -> str:
    """The UI string `key` in `language` (English for an unknown language)."""
    return translate(_TEXT, key, language, **values)


def step_name(step: Step, language: str) -> str:
    """A loading step's name in `language`."""
    return t(f"step_{step.name.lower()}", language)


def from_accept_language(header: str | None) -> str:
    """The UI language a browser's Accept-Language header asks for, by its q-order: zh-TW,
    zh-HK, zh-MO and zh-Hant mean Traditional, other Chinese tags Simplified."""
    ranked = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            ranked.append((-quality, position, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh"):
            traditional = ("zh-tw", "zh-hk", "zh-mo", "zh-hant")
            return "zh-Hant" if tag.startswith(traditional) else "zh-Hans"
    return "en"
