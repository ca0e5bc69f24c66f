/// The Lua scripts that make each write to the Redis store atomic. Every key an entry lives under
/// is written down in its `ix:` record (client, size, index sets), so dropping an entry — on
/// replace, purge, or once past its stale window — removes it from exactly those sets and keeps
/// the counters right, without a scan.
enum RedisScripts {
    /// Shared by every script: `ARGV[1]` is the key prefix.
    static let common = #"""
    local ns = ARGV[1]
    local function split(s)
      local t = {}
      for p in string.gmatch(s, "[^\n]+") do t[#t + 1] = p end
      return t
    end
    local function drop(k)
      local info = redis.call('GET', ns .. 'ix:' .. k)
      if info then
        local parts = split(info)
        for i = 3, #parts do redis.call('SREM', parts[i], k) end
        redis.call('HINCRBY', ns .. 'stats', 'entries', -1)
        if parts[2] ~= '0' then redis.call('HINCRBY', ns .. 'stats', 'bytes', '-' .. parts[2]) end
        if redis.call('HINCRBY', ns .. 'clients', parts[1], -1) <= 0 then redis.call('HDEL', ns .. 'clients', parts[1]) end
        redis.call('DEL', ns .. 'ix:' .. k)
      end
      redis.call('DEL', ns .. 'e:' .. k)
      redis.call('ZREM', ns .. 'order', k)
      redis.call('ZREM', ns .. 'expiry', k)
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
    return 1
    """#

    /// ARGV: prefix, mode, now, number of sets, the sets, client, number of params, then name
    /// and value pairs (confirmed against the entry's sources when there are two or more).
    static let purge = common + "\n" + #"""
    local mode, now, nsets = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
    local sets = {}
    for i = 1, nsets do sets[i] = ARGV[4 + i] end
    local base = 5 + nsets
    local client, np = ARGV[base], tonumber(ARGV[base + 1])
    local cands
    if nsets == 0 then cands = redis.call('ZRANGE', ns .. 'order', 0, -1)
    elseif nsets == 1 then cands = redis.call('SMEMBERS', sets[1])
    else cands = redis.call('SINTER', unpack(sets)) end
    local n = 0
    for _, k in ipairs(cands) do
      local e = ns .. 'e:' .. k
      local x = redis.call('HGET', e, 'x')
      local ok = x ~= false
      if not ok then drop(k) end
      if ok and np > 1 then
        ok = false
        local s = redis.call('HGET', e, 's') or ''
        for line in string.gmatch(s, "[^\n]+") do
          if string.sub(line, 1, #client + 1) == client .. "\1" then
            local all = true
            for j = 0, np - 1 do
              local needle = "\2" .. ARGV[base + 2 + 2 * j] .. "\0" .. ARGV[base + 3 + 2 * j] .. "\2"
              if not string.find(line, needle, 1, true) then all = false break end
            end
            if all then ok = true break end
          end
        end
      end
      if ok then
        n = n + 1
        if mode == 'hard' then drop(k)
        elseif tonumber(x) > now then redis.call('HSET', e, 'x', ARGV[3]) end
      end
    end
    return n
    """#

    /// ARGV: prefix, now. Returns entries, bytes, then client and count pairs.
    static let stats = common + "\n" + #"""
    sweep(ARGV[2], 10000)
    local s = redis.call('HMGET', ns .. 'stats', 'entries', 'bytes')
    local out = {tonumber(s[1] or 0) or 0, tonumber(s[2] or 0) or 0}
    local clients = redis.call('HGETALL', ns .. 'clients')
    for i = 1, #clients do out[#out + 1] = clients[i] end
    return out
    """#
}
