-- GET one micropost: a random one of the 100 000 seeded, through its author's collection URL.
-- Seeding gives user N (user0001..user1000) the ids (N-1)*100+1 .. N*100.
package.path = package.path .. ";" .. (os.getenv("LOAD_LUA_DIR") or ".") .. "/?.lua"
local common = require("common")
setup, done = common.setup, common.done
local headers

function init()
    common.init()
    headers = common.headers()
end

function request()
    local id = math.random(1, 100000)
    local user = string.format("user%04d", math.floor((id - 1) / 100) + 1)
    return wrk.format("GET", "/api/users/" .. user .. "/collection/" .. id, headers)
end
