import { createDigest, mergeDigest, serializeDigest } from "../src/stats/digest.ts";
import { digestFromState, digestState } from "../src/stats/digest-state.ts";
for (let seed=1; seed<30; seed++){
let s=seed; const r=()=>(s=(s*16807)%2147483647)/2147483647;
const win=(n:number)=>{const d=createDigest(); for(let i=0;i<n;i++) d.push(1+r()*r()*300); return serializeDigest(d);};
const live=createDigest(); for(let i=0;i<40;i++) mergeDigest(live,win(500));
const st=digestState(live);
let cum=0; const mc=st.n.map(n=>((cum+=n),cum-n/2)); const cn=st.n.map((n,i)=>mc[i]!+n/2);
const fresh=digestFromState({...st,cumn:cn,mean_cumn:mc,last_cumulate:st.total});
for(let i=0;i<5;i++){const w=win(500); mergeDigest(live,w); mergeDigest(fresh,w);}
console.log(seed, st.total-st.last_cumulate, JSON.stringify(digestState(fresh).mean)===JSON.stringify(digestState(live).mean), fresh.size(), live.size());
}
