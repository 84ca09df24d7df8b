-- driver.lua: what a Neovim user does and sees, after the README's snippet has started things.
--
-- run.sh starts Neovim with the README's snippet as its init.lua (the dump placeholder replaced
-- by a test dump, `heaplens` on PATH being the built server) and this file as a -c command.
-- The snippet alone starts the server and attaches buffers; this driver only opens files, asks
-- what a user asks (hover, diagnostics, code lenses, the load command) and checks the answers.
-- It wraps vim.lsp.handlers['window/showMessage'] (and vim.notify) to see the messages the user
-- sees. Every wait polls with a deadline; nothing sleeps for a fixed time.
--
--   TEST_FILE          source file opened first                                  [required]
--   DUMP               the dump the snippet loads at start                       [required]
--   FILETYPE           the filetype Neovim must detect for TEST_FILE (go, raku)  [required]
--   EXPECT_ROOT        the root directory the snippet must pick for TEST_FILE    [required]
--   HOVERS             "line:col:text|line:col:text": 1-based line, 0-based column, text the
--                      hover there must contain; the first is polled until the dump has loaded
--   DIAG_LINES         "53,60": lines that must carry a heaplens diagnostic
--   LENS_LINES         lines that must show a titled code lens (vim.lsp.codelens)
--   NO_LENS_LINES      lines that must have no code lens
--   EXPECT_FORMAT      summary format of the loaded dump
--   EXPECT_OBJECTS     exact object count of the loaded dump
--   SAME_ROOT_FILE     a second file under EXPECT_ROOT: must attach to the same client
--   OTHER_ROOT_FILE    a file under another root: must get its own client, rooted at OTHER_ROOT
--   OTHER_ROOT
--   LOAD_SCRIPT        the README's load command (placeholder replaced by LOAD_DUMP), run with
--   LOAD_DUMP          :luafile from TEST_FILE's buffer; LOAD_DUMP must then be loaded and announced
--   LOAD_DIAG          "line:text": a heaplens diagnostic on that line must then contain text
--   UNLOAD_SCRIPT      the README's unload line for LOAD_DUMP, run the same way; then only DUMP is listed
--   FORM_SCRIPT        another README load line, run the same way; FORM_HOVER ("line:col:text")
--   FORM_HOVER         must then appear (polled)
--   LOAD_TIMEOUT_MS    deadline for a load to show in a hover (default 20000); other waits 10000
--
-- Prints one line per check ("ok ..." / "FAIL ...") and exits 0 only if every check passed.

local env = vim.env
local failures = 0
local function say(s) io.stdout:write(s .. '\n') end
local function ok(cond, what, detail)
  if cond then
    say('ok   ' .. what)
  else
    failures = failures + 1
    say('FAIL ' .. what .. (detail and (': ' .. detail) or ''))
  end
  return cond
end
local function short(v) local s = type(v) == 'string' and v or vim.inspect(v); if #s > 1500 then s = s:sub(1, 1500) .. ' …' end; return s end
local function finish()
  if failures > 0 then
    say(string.format('nvim: %d check(s) failed', failures))
    vim.cmd('cquit 1')
  else
    say('nvim: all checks passed')
    vim.cmd('qall!')
  end
end

local TIMEOUT = 10000
local LOAD_TIMEOUT = tonumber(env.LOAD_TIMEOUT_MS or '') or 20000
-- For the "loaded" message, once a hover or the summary has shown the dump loaded: the server
-- announces a load when it finishes, so the message is already on its way.
local MESSAGE_TIMEOUT = 5000
local function basename(p) return vim.fn.fnamemodify(p, ':t') end
local function set(list) local s = {}; for x in (list or ''):gmatch('[^,]+') do s[#s + 1] = tonumber(x) end; return s end
local function spot(s)
  local line, col, text = s:match('^(%d+):(%d+):(.+)$')
  assert(line, 'bad position spec ' .. s)
  return { line = tonumber(line), col = tonumber(col), text = text }
end

-- What reaches the user: the server's messages, and Neovim's own notifications (a server that
-- exits with a non-zero code is reported through vim.notify).
local messages, notes = {}, {}
local showMessage = vim.lsp.handlers['window/showMessage']
vim.lsp.handlers['window/showMessage'] = function(err, result, ctx, config)
  if type(result) == 'table' then table.insert(messages, result.message or '') end
  return showMessage(err, result, ctx, config)
end
local notify = vim.notify
vim.notify = function(msg, level, opts)
  table.insert(notes, tostring(msg))
  return notify(msg, level, opts)
end
local function message_starting(prefix)
  for _, m in ipairs(messages) do if m:sub(1, #prefix) == prefix then return m end end
end

local function heaplens_clients(bufnr)
  local found = {}
  for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if c.name == 'heaplens' then table.insert(found, c) end
  end
  return found
end

-- Opens a file the way a user does (:edit) and waits until a heaplens client is attached and initialized.
local function open(path)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  local client
  vim.wait(TIMEOUT, function()
    local cs = heaplens_clients(bufnr)
    client = cs[1]
    return #cs > 0 and client.initialized
  end, 20)
  return bufnr, client
end

local function hover_text(bufnr, at)
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = at.line - 1, character = at.col } }
  local res = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, 2000) or {}
  for _, r in pairs(res) do
    local c = r.result and r.result.contents
    if type(c) == 'table' then return c.value or vim.inspect(c) elseif type(c) == 'string' then return c end
  end
  return ''
end

-- Asks for the hover until it contains the text or the deadline passes.
local function poll_hover(bufnr, at, deadline_ms)
  local text = ''
  vim.wait(deadline_ms, function()
    text = hover_text(bufnr, at)
    return text:find(at.text, 1, true) ~= nil
  end, 100)
  return text:find(at.text, 1, true) ~= nil, text
end

local function summary(client, bufnr)
  local resp = client.request_sync('heaplens/summary', {}, TIMEOUT, bufnr)
  return resp and resp.result, resp and resp.err
end

local function main()
  for _, k in ipairs({ 'TEST_FILE', 'DUMP', 'FILETYPE', 'EXPECT_ROOT' }) do
    assert(env[k] and env[k] ~= '', 'environment variable ' .. k .. ' is required')
  end
  local hovers = {}
  for s in (env.HOVERS or ''):gmatch('[^|]+') do table.insert(hovers, spot(s)) end

  local bufnr, client = open(env.TEST_FILE)
  ok(vim.bo[bufnr].filetype == env.FILETYPE, 'Neovim detects filetype ' .. env.FILETYPE, vim.bo[bufnr].filetype)
  if not ok(client ~= nil and client.initialized, 'the snippet started a heaplens client and attached the buffer',
      'clients on the buffer: ' .. short(vim.tbl_map(function(c) return c.name end, vim.lsp.buf_get_clients(bufnr)))) then
    return
  end
  ok(#heaplens_clients(bufnr) == 1, 'exactly one heaplens client on the buffer', tostring(#heaplens_clients(bufnr)))
  ok(client.config.root_dir == env.EXPECT_ROOT, 'its root is ' .. env.EXPECT_ROOT, tostring(client.config.root_dir))

  -- The dump named in init_options loads by itself; the first hover shows once it has.
  local dumpName = basename(env.DUMP)
  for i, at in ipairs(hovers) do
    local found, text = poll_hover(bufnr, at, i == 1 and LOAD_TIMEOUT or 2000)
    ok(found, string.format('hover on line %d contains "%s"', at.line, at.text), text)
    if found and i == 1 then say('     hover: ' .. text:gsub('\n.*', ' …')) end
  end
  vim.wait(MESSAGE_TIMEOUT, function() return message_starting('heaplens: loaded ' .. dumpName) ~= nil end, 20)
  ok(message_starting('heaplens: loaded ' .. dumpName) ~= nil,
    'window/showMessage "heaplens: loaded ' .. dumpName .. '" reached the client', 'messages: ' .. short(messages))

  local s, serr = summary(client, bufnr)
  local d = s and s.dumps and s.dumps[1]
  ok(serr == nil and d ~= nil and #s.dumps == 1, 'heaplens/summary lists one dump', short(serr or s))
  if d and env.EXPECT_FORMAT then ok(d.format == env.EXPECT_FORMAT, 'its format is ' .. env.EXPECT_FORMAT, tostring(d.format)) end
  if d and env.EXPECT_OBJECTS then ok(d.objects == tonumber(env.EXPECT_OBJECTS), 'it has ' .. env.EXPECT_OBJECTS .. ' objects', tostring(d.objects)) end

  for _, line in ipairs(set(env.DIAG_LINES)) do
    local function here() return vim.diagnostic.get(bufnr, { lnum = line - 1 }) end
    vim.wait(TIMEOUT, function() return #here() > 0 end, 20)
    local diag = here()[1]
    if ok(diag ~= nil and diag.source == 'heaplens', 'a heaplens diagnostic on line ' .. line,
        'diagnostics: ' .. short(vim.tbl_map(function(x) return (x.lnum + 1) .. ' ' .. tostring(x.source) end, vim.diagnostic.get(bufnr)))) then
      say('     diagnostic: ' .. diag.message)
    end
  end

  local lensLines, noLensLines = set(env.LENS_LINES), set(env.NO_LENS_LINES)
  if #lensLines + #noLensLines > 0 then
    local function lens_on(line)
      for _, l in ipairs(vim.lsp.codelens.get(bufnr) or {}) do
        if l.range and l.range.start.line == line - 1 then return l end
      end
    end
    vim.lsp.codelens.refresh()
    vim.wait(TIMEOUT, function()
      for _, line in ipairs(lensLines) do
        local l = lens_on(line)
        if not (l and l.command and (l.command.title or '') ~= '') then return false end
      end
      return #(vim.lsp.codelens.get(bufnr) or {}) > 0
    end, 20)
    for _, line in ipairs(lensLines) do
      local l = lens_on(line)
      if ok(l and l.command and (l.command.title or '') ~= '', 'vim.lsp.codelens shows a titled lens on line ' .. line, short(vim.lsp.codelens.get(bufnr))) then
        say('     lens: ' .. l.command.title)
      end
    end
    for _, line in ipairs(noLensLines) do ok(lens_on(line) == nil, 'no code lens on line ' .. line, short(lens_on(line))) end
  end

  -- One client per root: a second file under the same root joins it, a file under another root gets its own.
  if env.SAME_ROOT_FILE and env.SAME_ROOT_FILE ~= '' then
    local b2, c2 = open(env.SAME_ROOT_FILE)
    ok(c2 ~= nil and c2.id == client.id and #heaplens_clients(b2) == 1,
      basename(env.SAME_ROOT_FILE) .. ' (same root) is attached to the same client', c2 and ('client ' .. c2.id .. ' vs ' .. client.id) or 'no client')
  end
  if env.OTHER_ROOT_FILE and env.OTHER_ROOT_FILE ~= '' then
    local _, c3 = open(env.OTHER_ROOT_FILE)
    ok(c3 ~= nil and c3.id ~= client.id, basename(env.OTHER_ROOT_FILE) .. ' (another root) gets its own client', c3 and ('client ' .. c3.id) or 'no client')
    ok(c3 ~= nil and c3.config.root_dir == env.OTHER_ROOT, 'rooted at ' .. tostring(env.OTHER_ROOT), c3 and tostring(c3.config.root_dir))
    local n = 0
    for _, c in pairs(vim.lsp.get_active_clients()) do if c.name == 'heaplens' then n = n + 1 end end
    ok(n == 2, 'two heaplens clients in all, one per root', tostring(n))
  end
  vim.cmd('buffer ' .. bufnr)

  -- The README's load command, from the source buffer, as typed after :lua.
  if env.LOAD_SCRIPT and env.LOAD_SCRIPT ~= '' then
    local loadName = basename(env.LOAD_DUMP)
    vim.cmd('luafile ' .. vim.fn.fnameescape(env.LOAD_SCRIPT))
    local listed
    vim.wait(LOAD_TIMEOUT, function()
      local s2 = summary(client, bufnr)
      for _, x in ipairs(s2 and s2.dumps or {}) do if basename(x.path or '') == loadName then listed = x end end
      return listed ~= nil
    end, 100)
    ok(listed ~= nil, 'after the load command heaplens/summary lists ' .. loadName)
    vim.wait(MESSAGE_TIMEOUT, function() return message_starting('heaplens: loaded ' .. loadName) ~= nil end, 20)
    ok(message_starting('heaplens: loaded ' .. loadName) ~= nil,
      'window/showMessage "heaplens: loaded ' .. loadName .. '" reached the client', 'messages: ' .. short(messages))
    if env.LOAD_DIAG and env.LOAD_DIAG ~= '' then
      local line, text = env.LOAD_DIAG:match('^(%d+):(.+)$')
      local function said()
        for _, x in ipairs(vim.diagnostic.get(bufnr, { lnum = tonumber(line) - 1 })) do
          if x.source == 'heaplens' and x.message:find(text, 1, true) then return x.message end
        end
      end
      vim.wait(TIMEOUT, function() return said() ~= nil end, 20)
      ok(said() ~= nil, string.format('then a diagnostic on line %s names %s', line, text),
        short(vim.tbl_map(function(x) return x.message end, vim.diagnostic.get(bufnr, { lnum = tonumber(line) - 1 }))))
    end
  end
  if env.UNLOAD_SCRIPT and env.UNLOAD_SCRIPT ~= '' then
    local loadName = basename(env.LOAD_DUMP)
    say('     running: ' .. vim.fn.readfile(env.UNLOAD_SCRIPT)[1])
    vim.cmd('luafile ' .. vim.fn.fnameescape(env.UNLOAD_SCRIPT))
    local names
    vim.wait(TIMEOUT, function()
      local s2 = summary(client, bufnr)
      names = vim.tbl_map(function(x) return basename(x.path or '') end, s2 and s2.dumps or {})
      return #names == 1 and names[1] == dumpName
    end, 100)
    ok(#names == 1 and names[1] == dumpName, 'after the unload command heaplens/summary lists only ' .. dumpName, short(names))
  end
  if env.FORM_SCRIPT and env.FORM_SCRIPT ~= '' then
    local at = spot(env.FORM_HOVER)
    say('     running: ' .. vim.fn.readfile(env.FORM_SCRIPT)[1])
    vim.cmd('luafile ' .. vim.fn.fnameescape(env.FORM_SCRIPT))
    local found, text = poll_hover(bufnr, at, LOAD_TIMEOUT)
    ok(found, string.format('then the hover on line %d contains "%s"', at.line, at.text), text)
  end

  -- Quitting stops every client: shutdown and exit, and no "quit with exit code" warning.
  local ids = {}
  for _, c in pairs(vim.lsp.get_active_clients()) do if c.name == 'heaplens' then table.insert(ids, c.id) end end
  vim.lsp.stop_client(ids)
  local gone = vim.wait(TIMEOUT, function()
    for _, id in ipairs(ids) do if vim.lsp.get_client_by_id(id) then return false end end
    return true
  end, 20)
  -- Neovim schedules its "quit with exit code" notification on exit: a callback scheduled now runs after it.
  local flushed = false
  vim.schedule(function() flushed = true end)
  vim.wait(TIMEOUT, function() return flushed end, 20)
  local bad = vim.tbl_filter(function(n) return n:find('quit with exit code', 1, true) ~= nil end, notes)
  ok(gone and #bad == 0, 'every heaplens server exited cleanly after shutdown', short(bad))
end

local fine, err = xpcall(main, debug.traceback)
if not fine then
  ok(false, 'driver error', tostring(err))
  pcall(function() for _, c in pairs(vim.lsp.get_active_clients()) do c.stop(true) end end)
end
finish()
