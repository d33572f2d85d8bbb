-- GET a page of 100: the whole collection of a random seeded user.
package.path = package.path .. ";" .. (os.getenv("LOAD_LUA_DIR") or ".") .. "/?.lua"
local common = require("common")
setup, done = common.setup, common.done
local headers

function init()
    common.init()
    headers = common.headers()
end

function request()
    local user = string.format("user%04d", math.random(1, 1000))
    return wrk.format("GET", "/api/users/" .. user .. "/collection?size=100", headers)
end
