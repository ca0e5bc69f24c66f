/// The Lua scripts that make each write to the Redis store atomic. Every key an entry lives under
/// is written down in its `ix:` record (client, size, index sets), so dropping an entry — on
/// replace, purge, or once past its stale window — removes it from exactly those sets and keeps
/// the counters right, without a scan.
enum RedisScripts {
    /// Shared by every script: `ARGV[1]` is the key prefix.
    ///
    /// `drop` only notes a key; `flush` drops the noted entries a thousand at a time — their
    /// hashes and `ix:` records, set memberships, places in `order` and `expiry`, counters — in a
    /// few calls for all of them, where dropping one by one took a dozen calls and as many Lua
    /// strings per entry. Call `flush` before anything re-adds a dropped key.
    ///
    /// A hard purge does less at once: `kill` notes a key, `bury` deletes the noted entries'
    /// hashes (so nothing serves or lists them), takes them off the counters and adds them to the
    /// `dead` set; `tidy` drops them later, in scripts of their own. Their set memberships and
    /// places in `order` and `expiry` are most of an entry's cost (the sorted sets alone about
    /// 20 µs an entry at a million), and grow with the store, not with the purge. `flush` does
    /// not count a dead entry down again, and takes it out of `dead`, whoever drops it: `tidy`,
    /// the sweep, a put that replaces it, or a purge that meets it again.
    static let common = #"""
    local ns = ARGV[1]
    local function split(s)
      local t = {}
      for p in string.gmatch(s, "[^\n]+") do t[#t + 1] = p end
      return t
    end
    local function bulk(command, key, list)
      for i = 1, #list, 1000 do redis.call(command, key, unpack(list, i, math.min(i + 999, #list))) end
    end
    local dropping, dropped = {}, {}
    local function drop(k)
      if not dropped[k] then
        dropped[k] = true
        dropping[#dropping + 1] = k
      end
    end
    local function countDown(held, bytes, clients)
      if held > 0 then redis.call('HINCRBY', ns .. 'stats', 'entries', string.format('%d', -held)) end
      if bytes > 0 then redis.call('HINCRBY', ns .. 'stats', 'bytes', string.format('%d', -bytes)) end
      for c, n in pairs(clients) do
        if redis.call('HINCRBY', ns .. 'clients', c, string.format('%d', -n)) <= 0 then redis.call('HDEL', ns .. 'clients', c) end
      end
    end
    -- Returns how many of the dropped entries still had their hash (were not past their TTL).
    local function flush()
      local found, members, held, bytes, clients = 0, {}, 0, 0, {}
      for i = 1, #dropping, 1000 do
        local slice = {unpack(dropping, i, math.min(i + 999, #dropping))}
        local e, ix = {}, {}
        for j, k in ipairs(slice) do
          e[j] = ns .. 'e:' .. k
          ix[j] = ns .. 'ix:' .. k
        end
        local dead, buried = redis.call('SMISMEMBER', ns .. 'dead', unpack(slice)), {}
        for j, info in ipairs(redis.call('MGET', unpack(ix))) do
          if info then
            local parts = split(info)
            for p = 3, #parts do
              local m = members[parts[p]]
              if m then m[#m + 1] = slice[j] else members[parts[p]] = {slice[j]} end
            end
            if dead[j] == 0 then
              held = held + 1
              bytes = bytes + tonumber(parts[2])
              clients[parts[1]] = (clients[parts[1]] or 0) + 1
            end
          end
          if dead[j] == 1 then buried[#buried + 1] = slice[j] end
        end
        if #buried > 0 then redis.call('SREM', ns .. 'dead', unpack(buried)) end
        found = found + redis.call('DEL', unpack(e))
        redis.call('DEL', unpack(ix))
        redis.call('ZREM', ns .. 'order', unpack(slice))
        redis.call('ZREM', ns .. 'expiry', unpack(slice))
      end
      for set, m in pairs(members) do bulk('SREM', set, m) end
      countDown(held, bytes, clients)
      dropping = {}
      return found
    end
    local killing, killed = {}, {}
    local function kill(k)
      if not killed[k] then
        killed[k] = true
        killing[#killing + 1] = k
      end
    end
    -- Returns how many of the killed entries still had their hash.
    local function bury()
      local found, held, bytes, clients = 0, 0, 0, {}
      for i = 1, #killing, 1000 do
        local slice = {unpack(killing, i, math.min(i + 999, #killing))}
        local e, ix, fresh = {}, {}, {}
        for j, k in ipairs(slice) do
          e[j] = ns .. 'e:' .. k
          ix[j] = ns .. 'ix:' .. k
        end
        local dead = redis.call('SMISMEMBER', ns .. 'dead', unpack(slice))
        for j, info in ipairs(redis.call('MGET', unpack(ix))) do
          -- No record: dropped already. Dead: counted down already.
          if info and dead[j] == 0 then
            local client, size = string.match(info, "^([^\n]*)\n([^\n]*)")
            held = held + 1
            bytes = bytes + tonumber(size)
            clients[client] = (clients[client] or 0) + 1
            fresh[#fresh + 1] = slice[j]
          end
        end
        found = found + redis.call('DEL', unpack(e))
        if #fresh > 0 then redis.call('SADD', ns .. 'dead', unpack(fresh)) end
      end
      countDown(held, bytes, clients)
      killing = {}
      return found
    end
    local function sweep(now, limit)
      local gone = redis.call('ZRANGEBYSCORE', ns .. 'expiry', '-inf', now, 'LIMIT', 0, limit)
      for _, k in ipairs(gone) do drop(k) end
    end
    """#

    /// ARGV: prefix, key, metadata, body, expires, stale-until, size, client, now, ix record, sources.
    static let put = common + "\n" + #"""
    local k = ARGV[2]
    sweep(ARGV[9], 64)
    drop(k)
    flush()
    local e = ns .. 'e:' .. k
    redis.call('HSET', e, 'm', ARGV[3], 'b', ARGV[4], 'x', ARGV[5], 's', ARGV[11])
    -- Relative to the writer's clock, not Redis's: two hosts' clocks may disagree.
    redis.call('PEXPIRE', e, math.max(1, tonumber(ARGV[6]) - tonumber(ARGV[9])))
    redis.call('SET', ns .. 'ix:' .. k, ARGV[10])
    local parts = split(ARGV[10])
    for i = 3, #parts do redis.call('SADD', parts[i], k) end
    redis.call('ZADD', ns .. 'order', 0, k)
    redis.call('ZADD', ns .. 'expiry', ARGV[6], k)
    redis.call('HINCRBY', ns .. 'stats', 'entries', 1)
    redis.call('HINCRBY', ns .. 'stats', 'bytes', ARGV[7])
    redis.call('HINCRBY', ns .. 'clients', ARGV[8], 1)
    -- Entries hard-purged and not yet tidied: the caller starts `tidy` if some are left.
    return redis.call('SCARD', ns .. 'dead')
    """#

    /// One chunk of a purge: up to about `chunk` candidates from where `cursor` left off (`''`:
    /// the start). Candidates come from the smallest of the sets (`source`, 0 until the first
    /// chunk picks it) by SSCAN, checked against the others, or from `order` when there are no
    /// sets. Returns the entries purged, the next cursor (`''` when done) and the source.
    ///
    /// SSCAN may return a member twice. A hard purge counts the hashes it deletes, so never an
    /// entry twice; a soft purge of more than one chunk notes what it marked in
    /// `marked` (a key of the caller's, deleted on the last chunk, expiring if it never comes).
    ///
    /// ARGV: prefix, mode, now, chunk, cursor, source, marked, number of sets, the sets, client,
    /// number of params, then name and value pairs (confirmed against the entry's sources when
    /// there are two or more).
    static let purge = common + "\n" + #"""
    local mode, now, chunk, cursor, source, marked = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6]), ARGV[7]
    local nsets = tonumber(ARGV[8])
    local sets = {}
    for i = 1, nsets do sets[i] = ARGV[8 + i] end
    local base = 9 + nsets
    local client, np = ARGV[base], tonumber(ARGV[base + 1])
    if nsets > 0 and source == 0 then
      source = 1
      local least = redis.call('SCARD', sets[1])
      for i = 2, nsets do
        local size = redis.call('SCARD', sets[i])
        if size < least then least, source = size, i end
      end
    end
    local cands, next
    if nsets == 0 then
      cands = redis.call('ZRANGEBYLEX', ns .. 'order', cursor == '' and '-' or '(' .. cursor, '+', 'LIMIT', 0, chunk)
      next = #cands == chunk and cands[#cands] or ''
    else
      local reply = redis.call('SSCAN', sets[source], cursor == '' and '0' or cursor, 'COUNT', chunk)
      next = reply[1] == '0' and '' or reply[1]
      cands = reply[2]
      for i = 1, nsets do
        if i ~= source and #cands > 0 then
          local kept = {}
          for j = 1, #cands, 1000 do
            local slice = {unpack(cands, j, math.min(j + 999, #cands))}
            local inside = redis.call('SMISMEMBER', sets[i], unpack(slice))
            for m = 1, #slice do if inside[m] == 1 then kept[#kept + 1] = slice[m] end end
          end
          cands = kept
        end
      end
    end
    local function matches(s)
      for line in string.gmatch(s, "[^\n]+") do
        if string.sub(line, 1, #client + 1) == client .. "\1" then
          local all = true
          for j = 0, np - 1 do
            local needle = "\2" .. ARGV[base + 2 + 2 * j] .. "\0" .. ARGV[base + 3 + 2 * j] .. "\2"
            if not string.find(line, needle, 1, true) then all = false break end
          end
          if all then return true end
        end
      end
      return false
    end
    local note = mode == 'soft' and nsets > 0 and not (cursor == '' and next == '')
    local n = 0
    for _, k in ipairs(cands) do
      local e, ok, x = nil, true, nil
      -- A hard purge with nothing to confirm need not read the entry: flush counts it.
      if mode == 'soft' or np > 1 then
        e = ns .. 'e:' .. k
        local h = redis.call('HMGET', e, 'x', 's')
        x = h[1]
        if not x then
          drop(k)
          ok = false
        elseif np > 1 then
          ok = matches(h[2] or '')
        end
      end
      if ok then
        if mode == 'hard' then
          kill(k)
        elseif not note or redis.call('SADD', marked, k) == 1 then
          n = n + 1
          if tonumber(x) > now then redis.call('HSET', e, 'x', ARGV[3]) end
        end
      end
    end
    -- A hard purge counts the entries whose hash it deleted: never one twice, nor one already gone.
    local deleted = bury()
    flush()
    if mode == 'hard' then n = deleted end
    if note then
      if next == '' then redis.call('DEL', marked) else redis.call('PEXPIRE', marked, 3600000) end
    end
    return {n, next, source}
    """#

    /// Drops up to `limit` hard-purged entries (`dead`) for good. ARGV: prefix, limit. Returns
    /// how many are left.
    static let tidy = common + "\n" + #"""
    for _, k in ipairs(redis.call('SRANDMEMBER', ns .. 'dead', tonumber(ARGV[2]))) do drop(k) end
    flush()
    return redis.call('SCARD', ns .. 'dead')
    """#

    /// ARGV: prefix, now. Returns entries, bytes, then client and count pairs.
    static let stats = common + "\n" + #"""
    sweep(ARGV[2], 10000)
    flush()
    local s = redis.call('HMGET', ns .. 'stats', 'entries', 'bytes')
    local out = {tonumber(s[1] or 0) or 0, tonumber(s[2] or 0) or 0}
    local clients = redis.call('HGETALL', ns .. 'clients')
    for i = 1, #clients do out[#out + 1] = clients[i] end
    return out
    """#
}
