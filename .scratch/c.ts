import { createDigest, mergeDigest, serializeDigest } from "../src/stats/digest.ts";
import { digestFromState, digestState } from "../src/stats/digest-state.ts";
let s=7; const r=()=>(s=(s*16807)%2147483647)/2147483647;
const win=(n:number)=>{const d=createDigest(); for(let i=0;i<n;i++) d.push(1+r()*r()*300); return serializeDigest(d);};
const live=createDigest(); for(let i=0;i<40;i++) mergeDigest(live,win(500));
const st=digestState(live); console.log(st.total, st.last_cumulate, st.mean_cumn.filter(x=>x===null).length, st.mean.length);
let cum=0; const mc=st.n.map(n=>((cum+=n),cum-n/2)); let diff=0; st.mean_cumn.forEach((x,i)=>{ if(x!==mc[i]) diff++;}); console.log("stale", diff);
