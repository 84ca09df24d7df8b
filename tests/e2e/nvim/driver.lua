-- driver.lua: headless Neovim (0.7.x) as a real LSP client of `heaplens serve`.
--
-- Generic part: start the server with vim.lsp.start_client, attach the buffer,
-- wait for initialize, run heaplens.loadDump, ask heaplens/summary, hover and
-- code lenses (raw request and the built-in vim.lsp.codelens machinery), an
-- unknown method, then client.stop() and check the exit code. Every request
-- must be answered without error within a bounded time. What the answers must
-- contain comes from the environment, so one driver serves every dump format:
--
--   HEAPLENS_BIN        server executable (started as `<bin> serve`)       [required]
--   ROOT_DIR            workspace folder (root_dir)                         [required]
--   TEST_FILE           source file opened in the buffer                    [required]
--   DUMP                dump passed to heaplens.loadDump                    [required]
--   FILETYPE            buffer filetype = languageId (go, raku, ...)
--   DUMP_SNAPSHOT       if set, loadDump gets [{path=DUMP, snapshot=N}] instead of [DUMP]
--   EXPECT_FORMAT       summary.format
--   EXPECT_MIN_OBJECTS / EXPECT_MAX_OBJECTS   bounds for summary.objects
--   EXPECT_LINE         1-based line that must carry a diagnostic, a hover and a code lens
--   EXPECT_HOVER_SUBSTR text the hover on EXPECT_LINE must contain
--   HOVER_COL           0-based column for the hover (default 0)
--   EXPECT_DIAGNOSTIC   "0" to not require a diagnostic on EXPECT_LINE
--   EXPECT_LENS         "0" to not require a code lens on EXPECT_LINE, "none" to require that it has none
--   LOAD_TIMEOUT_MS     bound for the load (default 120000); other requests get TIMEOUT_MS (default 15000)
--
-- Prints one line per check ("ok ..." / "FAIL ...") and exits 0 only if every check passed.
-- Runs in Neovim's main loop; vim.wait pumps the LSP messages while it waits.

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
local function short(v) local s = vim.inspect(v); if #s > 1500 then s = s:sub(1, 1500) .. ' …' end; return s end
local function finish()
  if failures > 0 then
    say(string.format('nvim-lsp: %d check(s) failed', failures))
    vim.cmd('cquit 1')
  else
    say('nvim-lsp: all checks passed')
    vim.cmd('qall!')
  end
end
local function abort(msg) ok(false, msg); finish() end

-- Everything runs inside xpcall: an error in the driver or in Neovim's client (for example a
-- server that cannot be spawned) must end Neovim with a failure, not leave it waiting headless.
local function main()
  for _, k in ipairs({ 'HEAPLENS_BIN', 'ROOT_DIR', 'TEST_FILE', 'DUMP' }) do
    if not env[k] or env[k] == '' then abort('environment variable ' .. k .. ' is required') return end
  end
  local TIMEOUT = tonumber(env.TIMEOUT_MS or '') or 15000
  local LOAD_TIMEOUT = tonumber(env.LOAD_TIMEOUT_MS or '') or 120000
  local line0 = env.EXPECT_LINE and (tonumber(env.EXPECT_LINE) - 1) or nil

  vim.cmd('edit ' .. vim.fn.fnameescape(env.TEST_FILE))
  local bufnr = vim.api.nvim_get_current_buf()
  if env.FILETYPE and env.FILETYPE ~= '' then vim.bo[bufnr].filetype = env.FILETYPE end

  local progress = {}
  local exit_code, exit_signal
  local default_progress = vim.lsp.handlers['$/progress']
  local client_id = vim.lsp.start_client({
    name = 'heaplens',
    cmd = { env.HEAPLENS_BIN, 'serve' },
    root_dir = env.ROOT_DIR,
    handlers = {
      ['$/progress'] = function(err, result, ctx, config)
        table.insert(progress, result)
        return default_progress(err, result, ctx, config)
      end,
    },
    on_exit = function(code, signal) exit_code, exit_signal = code, signal end,
  })
  if not ok(client_id ~= nil, 'start_client returned a client id') then finish() return end
  vim.lsp.buf_attach_client(bufnr, client_id)

  local client
  local inited = vim.wait(TIMEOUT, function()
    client = vim.lsp.get_client_by_id(client_id)
    return (client ~= nil and client.initialized) or exit_code ~= nil
  end, 20)
  if not ok(inited and client and client.initialized, 'initialize answered', exit_code and ('server exited with ' .. tostring(exit_code))) then
    finish() return
  end
  local caps = client.server_capabilities or {}
  ok(caps.hoverProvider, 'server advertises hoverProvider')
  ok(caps.codeLensProvider ~= nil, 'server advertises codeLensProvider')
  local commands = caps.executeCommandProvider and caps.executeCommandProvider.commands or {}
  ok(vim.tbl_contains(commands, 'heaplens.loadDump'), 'executeCommandProvider lists heaplens.loadDump', short(commands))

  -- Sends a request and waits; returns result, err ("timeout" when there was no answer).
  local function request(method, params, timeout)
    local resp, err = client.request_sync(method, params, timeout or TIMEOUT, bufnr)
    if not resp then return nil, err or 'no answer' end
    return resp.result, resp.err
  end

  -- heaplens.loadDump
  local arg = env.DUMP
  if env.DUMP_SNAPSHOT and env.DUMP_SNAPSHOT ~= '' then arg = { path = env.DUMP, snapshot = tonumber(env.DUMP_SNAPSHOT) } end
  local summary, lerr = request('workspace/executeCommand', { command = 'heaplens.loadDump', arguments = { arg } }, LOAD_TIMEOUT)
  if not ok(lerr == nil and type(summary) == 'table', 'heaplens.loadDump answered a summary', short(lerr or summary)) then
    client.stop() vim.wait(5000, function() return exit_code ~= nil end, 20) finish() return
  end
  say('     summary: ' .. vim.fn.json_encode(summary))
  if env.EXPECT_FORMAT then ok(summary.format == env.EXPECT_FORMAT, 'summary.format is ' .. env.EXPECT_FORMAT, tostring(summary.format)) end
  ok(type(summary.objects) == 'number' and summary.objects > 0, 'summary.objects > 0', tostring(summary.objects))
  if env.EXPECT_MIN_OBJECTS then
    ok((summary.objects or -1) >= tonumber(env.EXPECT_MIN_OBJECTS), 'summary.objects >= ' .. env.EXPECT_MIN_OBJECTS, tostring(summary.objects))
  end
  if env.EXPECT_MAX_OBJECTS then
    ok((summary.objects or math.huge) <= tonumber(env.EXPECT_MAX_OBJECTS), 'summary.objects <= ' .. env.EXPECT_MAX_OBJECTS, tostring(summary.objects))
  end
  ok(type(summary.totalBytes) == 'number' and summary.totalBytes > 0, 'summary.totalBytes > 0', tostring(summary.totalBytes))
  ok(type(summary.path) == 'string' and summary.path:sub(-#vim.fn.fnamemodify(env.DUMP, ':t')) == vim.fn.fnamemodify(env.DUMP, ':t'),
    'summary.path names the dump', tostring(summary.path))

  -- Progress (Neovim advertises window.workDoneProgress): a begin and an end.
  local function kinds()
    local k = {}
    for _, p in ipairs(progress) do if type(p.value) == 'table' then table.insert(k, p.value.kind) end end
    return k
  end
  vim.wait(5000, function() return vim.tbl_contains(kinds(), 'end') end, 20)
  ok(vim.tbl_contains(kinds(), 'begin') and vim.tbl_contains(kinds(), 'end'), '$/progress begin and end received', short(kinds()))

  -- heaplens/summary with empty params: Neovim 0.7 encodes {} as [].
  local s, serr = request('heaplens/summary', {})
  ok(serr == nil and type(s) == 'table' and type(s.dumps) == 'table' and #s.dumps >= 1, 'heaplens/summary lists the dump', short(serr or s))

  -- Diagnostics pushed for the open file.
  if line0 and env.EXPECT_DIAGNOSTIC ~= '0' then
    vim.wait(TIMEOUT, function() return #vim.diagnostic.get(bufnr, { lnum = line0 }) > 0 end, 20)
    local d = vim.diagnostic.get(bufnr, { lnum = line0 })
    local lines = {}
    for _, x in ipairs(vim.diagnostic.get(bufnr)) do table.insert(lines, x.lnum + 1) end
    if ok(#d > 0, 'a diagnostic on line ' .. env.EXPECT_LINE, 'diagnostics on lines ' .. short(lines)) then
      ok(d[1].source == 'heaplens', 'its source is "heaplens"', tostring(d[1].source))
      say('     diagnostic: ' .. d[1].message)
    end
  end

  -- Hover.
  local hover_pos = { line = line0 or 0, character = tonumber(env.HOVER_COL or '') or 0 }
  local hparams = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = hover_pos }
  local hres = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', hparams, TIMEOUT)
  local h = hres and hres[client_id]
  ok(h ~= nil and h.err == nil, 'textDocument/hover answered without error', short(h and h.err or 'no answer'))
  if env.EXPECT_HOVER_SUBSTR and env.EXPECT_HOVER_SUBSTR ~= '' then
    local text = ''
    local c = h and h.result and h.result.contents
    if type(c) == 'table' then text = c.value or vim.inspect(c) elseif type(c) == 'string' then text = c end
    ok(text:find(env.EXPECT_HOVER_SUBSTR, 1, true) ~= nil, 'hover on line ' .. tostring(env.EXPECT_LINE) .. ' contains "' .. env.EXPECT_HOVER_SUBSTR .. '"', text)
  end

  -- Code lenses: the raw request, then Neovim's own codelens refresh/get.
  local lenses, cerr = request('textDocument/codeLens', { textDocument = { uri = vim.uri_from_bufnr(bufnr) } })
  ok(cerr == nil and type(lenses) == 'table', 'textDocument/codeLens answered a list', short(cerr or lenses))
  local function lens_on(list, want)
    for _, l in ipairs(list or {}) do if l.range and l.range.start.line == want then return l end end
  end
  if line0 and env.EXPECT_LENS == 'none' then
    ok(lens_on(lenses, line0) == nil, 'no code lens on line ' .. env.EXPECT_LINE, short(lens_on(lenses, line0)))
  elseif line0 and env.EXPECT_LENS ~= '0' then
    local starts = {}
    for _, l in ipairs(lenses or {}) do table.insert(starts, l.range.start.line + 1) end
    ok(lens_on(lenses, line0) ~= nil, 'a code lens on line ' .. env.EXPECT_LINE, 'lenses on lines ' .. short(starts))
    vim.lsp.codelens.refresh()
    vim.wait(TIMEOUT, function()
      local l = lens_on(vim.lsp.codelens.get(bufnr), line0)
      return l ~= nil and l.command ~= nil
    end, 20)
    local shown = lens_on(vim.lsp.codelens.get(bufnr), line0)
    if ok(shown ~= nil and shown.command ~= nil and (shown.command.title or '') ~= '', 'vim.lsp.codelens shows a titled lens on line ' .. env.EXPECT_LINE, short(shown)) then
      say('     lens: ' .. shown.command.title)
    end
  end

  -- An unknown method is -32601, and the server keeps serving.
  local _, uerr = request('heaplens/noSuchMethod', {})
  ok(type(uerr) == 'table' and uerr.code == -32601, 'unknown method answers -32601', short(uerr))

  -- Clean shutdown: client.stop() sends shutdown and exit.
  client.stop()
  local exited = vim.wait(TIMEOUT, function() return exit_code ~= nil end, 20)
  ok(exited and exit_code == 0, 'server exited with code 0 after shutdown/exit', 'exit code ' .. tostring(exit_code) .. ', signal ' .. tostring(exit_signal))
  finish()
end

local fine, err = xpcall(main, debug.traceback)
if not fine then
  ok(false, 'driver error', tostring(err))
  pcall(function() for _, c in pairs(vim.lsp.get_active_clients()) do c.stop(true) end end)
  finish()
end
